package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * The gradient of {@link Gather}: a table of {@code shape} filled with zeros, then each row of
 * {@code dy} added to the row its id names ({@code scatter_add(dy, ids)}), by the runtime's {@code Rows}. Not differentiated again.
 */
public final class ScatterAdd implements Library {
    public String name() { return "scatter_add"; }

    public TensorType inferType(List<TensorType> in, Attrs a) { return TensorType.f32(new Shape(a.ints("shape"))); }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return null; }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        double[] dy = in.get(0), ids = in.get(1), r = new double[Broadcasting.numel(out)];
        int row = r.length / out[0];
        for (int i = 0; i < ids.length; i++) {
            int id = (int) ids[i];
            for (int k = 0; k < row; k++) r[id * row + k] += dy[i * row + k];
        }
        return r;
    }

    public void lower(Lowering cx, Node y) {
        Node dy = y.in(0), ids = y.in(1);
        long total = y.shape().numel().constant();
        int row = (int) (total / y.shape().dim(0));
        cx.emit("Rows.scatterAdd(" + cx.array(y) + ", " + cx.offset(y) + ", " + y.shape().dim(0) + ", " + row + ", " + cx.array(dy) + ", " + cx.offset(dy) + ", "
                + cx.array(ids) + ", " + cx.offset(ids) + ", " + cx.size(ids.shape().numel()) + ");");
    }
}
