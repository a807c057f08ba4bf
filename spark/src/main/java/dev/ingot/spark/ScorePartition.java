package dev.ingot.spark;

import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The task of {@link SparkPredictor#transform}: scores one partition with this executor's model
 * (a {@code sharingParameters} copy of the per-executor prototype), a batch of rows per {@code predict}.
 */
final class ScorePartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<ShippedModel> model;
    private final InputBinding[] inputs;
    private final int batch;
    private final int width;
    private final int outputs;
    private final int[] scalarOutputs;
    /** Classes of output 0 for the prediction column; 0 for none. */
    private final int classes;

    ScorePartition(Broadcast<ShippedModel> model, InputBinding[] inputs, int batch, int width, int outputs, int[] scalarOutputs, int classes) {
        this.model = model;
        this.inputs = inputs;
        this.batch = batch;
        this.width = width;
        this.outputs = outputs;
        this.scalarOutputs = scalarOutputs;
        this.classes = classes;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        CompiledModel m = model.value().prototype(model.id()).sharingParameters(batch);
        return new Scored(rows, m);
    }

    /** Reads a batch of rows, predicts, hands out the rows with their outputs, then reads the next batch. */
    private final class Scored implements Iterator<Row> {
        private final Iterator<Row> in;
        private final CompiledModel m;
        private final float[][] f32 = new float[inputs.length][];
        private final int[][] i32 = new int[inputs.length][];
        private final int[] perExample;
        private final Row[] pending = new Row[batch];
        private int n, pos;
        private long read;
        private final int partition;

        Scored(Iterator<Row> in, CompiledModel m) {
            this.in = in;
            this.m = m;
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i].i32) i32[i] = m.inputI32(inputs[i].input);
                else f32[i] = m.inputF32(inputs[i].input);
            }
            perExample = new int[outputs];
            for (int k = 0; k < outputs; k++) perExample[k] = m.spec().outputs().get(k).numelPerExample();
            TaskContext tc = TaskContext.get();
            partition = tc == null ? 0 : tc.partitionId();
        }

        @Override public boolean hasNext() {
            if (pos < n) return true;
            fill();
            return n > 0;
        }

        private void fill() {
            n = 0;
            pos = 0;
            while (n < batch && in.hasNext()) {
                Row r = in.next();
                for (int i = 0; i < inputs.length; i++) inputs[i].read(r, f32[i], i32[i], n, read, partition);
                pending[n++] = r;
                read++;
            }
            if (n > 0) m.predict(n);
        }

        @Override public Row next() {
            if (!hasNext()) throw new NoSuchElementException();
            Row r = pending[pos];
            Object[] v = new Object[width + outputs + (classes > 0 ? 1 : 0)];
            for (int c = 0; c < width; c++) v[c] = r.get(c);
            for (int k = 0; k < outputs; k++) {
                float[] o = m.output(k);
                int per = perExample[k];
                v[width + k] = isScalar(k) ? (Object) o[pos] : Arrays.copyOfRange(o, pos * per, pos * per + per);
            }
            if (classes > 0) v[width + outputs] = Tensor.argmax(m.output(0), pos * classes, classes);
            pending[pos++] = null;
            return RowFactory.create(v);
        }

        private boolean isScalar(int k) {
            for (int s : scalarOutputs) if (s == k) return true;
            return false;
        }
    }
}
