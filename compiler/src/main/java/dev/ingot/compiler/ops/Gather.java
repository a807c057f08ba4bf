package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * Row lookup (embedding): {@code gather(table [V, E...], ids i32 [...]) -> [..., E...]}, each id
 * selecting a row of the table. An id outside {@code [0, V)} fails the step with the id and its
 * position. <p>Forward: one row copy per id. Backward: {@code dtable = scatter_add(dy, ids)}, rows
 * summed where ids repeat; no gradient to the ids.
 */
public final class Gather implements Library {
    public String name() { return "gather"; }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        TensorType t = in.get(0), ids = in.get(1);
        if (ids.dtype() == DType.BOOL) throw new ShapeError("gather: the indices must be i32 (or f32 holding whole numbers, e.g. from argmax), got " + ids);
        if (t.rank() < 1 || t.shape().hasBatch()) throw new ShapeError("gather: the table must be a static tensor [rows, ...], got " + t.shape());
        int[] out = Arrays.copyOf(ids.shape().dims(), ids.rank() + t.rank() - 1);
        System.arraycopy(t.shape().dims(), 1, out, ids.rank(), t.rank() - 1);
        try {
            return t.withShape(new Shape(out));
        } catch (IllegalArgumentException e) {
            throw new ShapeError("gather: " + ids.shape() + " indices into " + t.shape() + " give two batch dimensions");
        }
    }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) {
        Node table = y.in(0), ids = y.in(1);
        return Arrays.asList(g.node(Ops.SCATTER_ADD, Attrs.of("shape", table.shape().dims()), dy, ids), null);
    }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        double[] t = in.get(0), ids = in.get(1);
        int rows = shapes.get(0)[0], row = t.length / rows;
        double[] r = new double[ids.length * row];
        for (int i = 0; i < ids.length; i++) {
            int id = (int) ids[i];
            if (id < 0 || id >= rows) throw new IllegalArgumentException("index " + id + " at position " + i + " is outside [0, " + rows + ")");
            System.arraycopy(t, id * row, r, i * row, row);
        }
        return r;
    }

    public void lower(Lowering cx, Node y) {
        Node t = y.in(0), ids = y.in(1);
        int rows = t.shape().dim(0), row = (int) (t.shape().numel().constant() / rows);
        String count = cx.size(ids.shape().numel());
        cx.emit("for (int i = 0; i < " + count + "; i++) { final int id = (int) " + cx.array(ids) + "[" + cx.offset(ids) + " + i]; "
                + "if (id < 0 || id >= " + rows + ") throw new IllegalArgumentException(\"id \" + id + \" at position \" + i + \" is outside the table's " + rows + " rows (is the vocabulary larger than the model's?)\"); "
                + "System.arraycopy(" + cx.array(t) + ", " + cx.offset(t) + " + id * " + row + ", " + cx.array(y) + ", " + cx.offset(y) + " + i * " + row + ", " + row + "); }");
    }

    public TestSpec testSpec() {
        return TestSpec.of(-2, 2, TestSpec.c(TensorType.f32(5, 3), new TensorType(DType.I32, Shape.of(2, 4))),
                TestSpec.c(TensorType.f32(4, 2, 3), new TensorType(DType.I32, Shape.of(6)))).ints(4);
    }
}
