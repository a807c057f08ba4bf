package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * The gradient of {@link Gather}: a table of {@code shape} filled with zeros, then each row of
 * {@code dy} added to the row its id names ({@code scatter_add(dy, ids)}). Not differentiated again.
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
        String out = cx.array(y), oo = cx.offset(y), d = cx.array(dy), dof = cx.offset(dy);
        cx.emit("java.util.Arrays.fill(" + out + ", " + oo + ", " + oo + " + " + total + ", 0f);");
        cx.emit("for (int i = 0; i < " + cx.size(ids.shape().numel()) + "; i++) { final int dst = " + oo + " + (int) " + cx.array(ids) + "[" + cx.offset(ids) + " + i] * " + row
                + ", src = " + dof + " + i * " + row + "; for (int k = 0; k < " + row + "; k++) " + out + "[dst + k] += " + d + "[src + k]; }");
    }
}
