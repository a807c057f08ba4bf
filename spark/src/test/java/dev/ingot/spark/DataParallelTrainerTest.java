package dev.ingot.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.data.Binding;
import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.exec.Parallel;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Synchronous data-parallel training on Spark {@code local[2]}: two barrier tasks, one replica each, gradients
 * averaged by the ring all-reduce every step.
 */
class DataParallelTrainerTest {
    static final String MLP = """
            model Small {
              input  x: f32[batch, 20]
              label  y: i32[batch]
              layer  fc1 = dense(20, 16, activation = relu)
              layer  fc2 = dense(16, 4)
              output logits = x |> fc1 |> fc2
              loss = softmax_cross_entropy(logits, y)
              train { optimizer: sgd(lr = 0.1, momentum = 0.9), schedule: cosine, batch: 16, epochs: 1 }
            }
            """;

    static ModelCode compile(String src) {
        return ModelCode.of(Compiler.compile(SourceFile.of("small.ingot", null, src, true), Compiler.Options.defaults().withSplitStep(true)).classFiles());
    }

    static final StructType SCHEMA = new StructType()
            .add("x", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("y", DataTypes.IntegerType, false);

    /** {@code n} rows of a learnable problem: the label is the argmax of four sums of the features. */
    static List<Row> rows(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[20], s = new float[4];
            for (int j = 0; j < 20; j++) {
                x[j] = (float) r.nextGaussian();
                s[j % 4] += x[j];
            }
            int y = 0;
            for (int k = 1; k < 4; k++) if (s[k] > s[y]) y = k;
            rows.add(RowFactory.create(x, y));
        }
        return rows;
    }

    /** Rows in two partitions: the first half of the list in partition 0, the second in partition 1. */
    static org.apache.spark.sql.Dataset<Row> frame(SparkSession spark, List<Row> rows) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return spark.createDataFrame(jsc.parallelize(rows, 2), SCHEMA);
    }

    /** Copies rows {@code idx} of {@code rows} into the model's buffers. */
    static void fill(CompiledModel m, List<Row> rows, int[] idx) {
        float[] x = m.inputF32("x");
        int[] y = m.inputI32("y");
        for (int j = 0; j < idx.length; j++) {
            System.arraycopy((float[]) rows.get(idx[j]).get(0), 0, x, j * 20, 20);
            y[j] = rows.get(idx[j]).getInt(1);
        }
    }

    @Test
    void twoTasksOnTheGlobalBatchAreTheSingleProcessRun() {
        SparkSession spark = LocalSpark.session();
        ModelCode code = compile(MLP);
        int steps = 20, global = 16, half = global / 2;
        List<Row> rows = rows(2 * steps * half, 1);
        DataParallelTrainer.Result r = DataParallelTrainer.fit(spark, code, frame(spark, rows),
                DataParallelTrainer.Options.defaults().withTasks(2).withGlobalBatch(global).withSteps(steps).withShuffle(false).withSeed(5).withThreadsPerTask(1));
        assertEquals(steps, r.steps());
        // one process: step s takes rows [8s, 8s+8) of partition 0 and the same of partition 1, as one batch of 16
        CompiledModel m = code.newInstance(global);
        m.initialize(5);
        Trainer.setTotalSteps(m, steps);
        double firstLoss = 0;
        for (int s = 0; s < steps; s++) {
            int[] idx = new int[global];
            for (int j = 0; j < half; j++) {
                idx[j] = s * half + j;
                idx[half + j] = steps * half + s * half + j;
            }
            fill(m, rows, idx);
            float l = m.trainStep(global);
            if (s == 0) firstLoss = l;
        }
        assertClose(m.tensors(), r.tensors(), "after " + steps + " steps");
        assertTrue(r.losses().get(0) < firstLoss, "mean loss " + r.losses() + " vs first " + firstLoss);
        // each task sent its share of the gradients' bytes (2 tasks: once the vector) per step, plus the loss
        long gradientBytes = 4L * (20 * 16 + 16 + 16 * 4 + 4);
        assertTrue(r.bytesPerStep() >= gradientBytes && r.bytesPerStep() <= gradientBytes + 16, r.bytesPerStep() + " bytes per step");
    }

    @Test
    void parameterAveragingEveryKStepsIsTheMeanOfTheReplicasLocalRuns() {
        SparkSession spark = LocalSpark.session();
        ModelCode code = compile(MLP);
        int k = 5, half = 8;
        List<Row> rows = rows(2 * k * half, 4);
        DataParallelTrainer.Result r = DataParallelTrainer.fit(spark, code, frame(spark, rows),
                DataParallelTrainer.Options.defaults().withTasks(2).withGlobalBatch(2 * half).withSteps(k).withAverageEvery(k).withShuffle(false).withSeed(2).withThreadsPerTask(1));
        // each replica trains k steps on its own partition, then the parameters are averaged once
        float[][] sum = null;
        List<String> params = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            CompiledModel m = code.newInstance(half);
            m.initialize(2);
            Trainer.setTotalSteps(m, k);
            for (int s = 0; s < k; s++) {
                int[] idx = new int[half];
                for (int j = 0; j < half; j++) idx[j] = p * k * half + s * half + j;
                fill(m, rows, idx);
                m.trainStep(half);
            }
            if (sum == null) {
                m.spec().params().forEach(t -> params.add(t.name()));
                sum = new float[params.size()][];
            }
            for (int i = 0; i < params.size(); i++) {
                float[] v = m.param(params.get(i));
                if (sum[i] == null) sum[i] = new float[v.length];
                for (int j = 0; j < v.length; j++) sum[i][j] += v[j] * 0.5f;
            }
        }
        for (int i = 0; i < params.size(); i++) assertArrayEquals(sum[i], r.tensors().get(params.get(i)), 1e-6f, params.get(i));
    }

    @Test
    void resumesFromTheCheckpointOfTaskZero(@TempDir Path dir) {
        SparkSession spark = LocalSpark.session();
        ModelCode code = compile(MLP);
        List<Row> rows = rows(2 * 10 * 8, 2);
        var opt = DataParallelTrainer.Options.defaults().withTasks(2).withGlobalBatch(16).withSteps(20).withSeed(3).withThreadsPerTask(1);
        DataParallelTrainer.Result whole = DataParallelTrainer.fit(spark, code, frame(spark, rows), opt);
        Path ck = dir.resolve("ck.safetensors");
        // a run that stopped after 12 of 20 steps (its checkpoint), then the same job again: it continues at step 12
        DataParallelTrainer.Result part = DataParallelTrainer.fit(spark, code, frame(spark, rows), opt.withStopAfter(12).withCheckpoint(ck, 4));
        assertEquals(12, part.steps());
        DataParallelTrainer.Result resumed = DataParallelTrainer.fit(spark, code, frame(spark, rows), opt.withCheckpoint(ck, 4));
        assertEquals(12, resumed.resumedAt());
        // NOTE: the same up to the last bits of exp, which differ between the JIT's tiers (see README, Reproducibility)
        assertClose(whole.tensors(), resumed.tensors(), "resumed");
        // at the end: nothing left to train, said clearly
        Exception done = assertThrows(Exception.class, () -> DataParallelTrainer.fit(spark, code, frame(spark, rows), opt.withCheckpoint(ck, 4)));
        assertTrue(String.valueOf(rootMessage(done)).contains("nothing left to train"), rootMessage(done));
    }

    @Test
    void aTaskLostMidRunMakesSparkRetryTheStageFromTheLastCheckpoint(@TempDir Path dir) {
        SparkSession spark = LocalSpark.session();
        ModelCode code = compile(MLP);
        List<Row> rows = rows(2 * 10 * 8, 5);
        var opt = DataParallelTrainer.Options.defaults().withTasks(2).withGlobalBatch(16).withSteps(12).withSeed(4).withThreadsPerTask(1);
        DataParallelTrainer.Result whole = DataParallelTrainer.fit(spark, code, frame(spark, rows), opt);
        // task 1 of the first attempt is stopped after step 6 (as when its executor is lost); the checkpoint is at step 4
        ReplicaTask.afterStep = (ctx, step) -> {
            if (ctx.stageAttemptNumber() != 0 || ctx.partitionId() != 1 || step != 6) return;
            org.apache.spark.SparkContext.getOrCreate().killTaskAttempt(ctx.taskAttemptId(), true, "test: a lost task");
            // the stop is asynchronous: wait for it here, so that the task ends after step 6 whatever the load
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (ctx.getKillReason().isEmpty() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            ctx.killTaskIfInterrupted();
        };
        try {
            DataParallelTrainer.Result retried = DataParallelTrainer.fit(spark, code, frame(spark, rows), opt.withCheckpoint(dir.resolve("ck.safetensors"), 4));
            assertEquals(4, retried.resumedAt(), "the retried stage resumed from the checkpoint");
            assertEquals(12, retried.steps());
            assertClose(whole.tensors(), retried.tensors(), "retried");
        } finally {
            ReplicaTask.afterStep = null;
        }
    }

    @Test
    void aBadRowFailsTheStageWithTheColumnNamed() {
        SparkSession spark = LocalSpark.session();
        ModelCode code = compile(MLP);
        List<Row> rows = new ArrayList<>(rows(64, 3));
        rows.set(40, RowFactory.create(new float[] {1f, 2f}, 1));   // partition 1
        Exception e = assertThrows(Exception.class, () -> DataParallelTrainer.fit(spark, code, frame(spark, rows),
                DataParallelTrainer.Options.defaults().withTasks(2).withSteps(2).withTimeoutMillis(20_000)));
        assertTrue(rootMessage(e).contains("column 'x' (for input x: f32[batch, 20]): row 8 of partition 1 has 2 values"), rootMessage(e));
        // a class without the split step is refused before any task starts
        ModelCode plain = ModelCode.of(Compiler.compile(SourceFile.of("small.ingot", null, MLP, true), Compiler.Options.defaults()).classFiles());
        IllegalArgumentException no = assertThrows(IllegalArgumentException.class, () -> DataParallelTrainer.fit(spark, plain, frame(spark, rows), DataParallelTrainer.Options.defaults()));
        assertTrue(no.getMessage().contains("split training step"), no.getMessage());
    }

    @Test
    void mnistMlpTrainedOnTwoTasksReachesTheSingleProcessAccuracy() throws Exception {
        SparkSession spark = LocalSpark.session();
        Path mlp = Path.of("../dsl-examples/mnist_mlp.ingot");
        ModelCode code = DataParallelTrainer.compile(mlp);
        long t0 = System.nanoTime();
        Dataset train = Dataset.idxImages(Path.of("../dsl-examples/data/mnist"), "train", 1f / 255).limit(4096);
        Dataset test = Dataset.idxImages(Path.of("../dsl-examples/data/mnist"), "test", 1f / 255).limit(1000);
        int epochs = 2;
        // one process, the usual trainer
        CompiledModel single = code.newInstance(128);
        single.initialize(1);
        new Trainer(single).options(Trainer.Options.defaults().withEpochs(epochs).withSeed(1).withEvalEachEpoch(false)).fit(train, null);
        double want = Trainer.evaluate(single, test, Binding.auto()).accuracy();
        long t1 = System.nanoTime();
        // two tasks, as a DataFrame of (pixels, digit)
        List<Row> rows = new ArrayList<>();
        float[] px = train.field("image").f32();
        int[] labels = train.field("label").i32();
        for (int i = 0; i < train.size(); i++) {
            rows.add(RowFactory.create(java.util.Arrays.copyOfRange(px, i * 784, (i + 1) * 784), labels[i]));
        }
        StructType schema = new StructType().add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false).add("digit", DataTypes.IntegerType, false);
        var df = spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 2), schema);
        DataParallelTrainer.Result r = DataParallelTrainer.fit(spark, code, df,
                DataParallelTrainer.Options.defaults().withTasks(2).withEpochs(epochs).withSeed(1).withThreadsPerTask(1));
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        CompiledModel dp = code.newInstance(128);
        r.loadInto(dp);
        double got = Trainer.evaluate(dp, test, Binding.auto()).accuracy();
        System.err.printf("MNIST MLP: compile+single-process %.1f s, data-parallel %.1f s (%.1f s training); accuracy %.4f (single) %.4f (2 tasks)%n",
                (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9, r.seconds(), want, got);
        assertEquals(2 * 4096 / 128, r.steps());
        assertTrue(want > 0.85, "single-process accuracy " + want);
        assertTrue(got > want - 0.02, "data-parallel accuracy " + got + " vs single-process " + want);
    }

    /** Every tensor of {@code want} is in {@code got} with the same values within 1e-5 (relative, or absolute near 0). */
    static void assertClose(Map<String, float[]> want, Map<String, float[]> got, String what) {
        for (Map.Entry<String, float[]> e : want.entrySet()) {
            float[] w = e.getValue(), g = got.get(e.getKey());
            assertNotNull(g, e.getKey());
            for (int i = 0; i < w.length; i++) assertEquals(w[i], g[i], 1e-5 * (1 + Math.abs(w[i])), what + ": " + e.getKey() + "[" + i + "]");
        }
    }

    static String rootMessage(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) sb.append(t.getMessage()).append(" | ");
        return sb.toString();
    }
}
