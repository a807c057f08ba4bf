package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Constant padding: {@code before[i]} and {@code after[i]} elements of {@code value} around
 * dimension i (none around a batch dimension). <p>Forward: fill, then copy x into the interior.
 * Backward: {@code dx = slice(dy)} of the interior.
 */
public final class Pad implements Library {
    @Override public FusionKind fusionKind() { return FusionKind.INJECTIVE; }

    public String name() { return "pad"; }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        Shape s = in.get(0).shape();
        int[] b = a.ints("before"), e = a.ints("after");
        if (b.length != s.rank() || e.length != s.rank()) throw new ShapeError("pad: " + b.length + " paddings for a value of rank " + s.rank() + " " + s);
        int[] out = new int[s.rank()];
        for (int i = 0; i < s.rank(); i++) {
            if (b[i] < 0 || e[i] < 0) throw new ShapeError("pad: negative padding " + b[i] + ", " + e[i] + " in dimension " + i);
            if (s.isBatchDim(i) && (b[i] != 0 || e[i] != 0)) throw new ShapeError("pad: the batch dimension cannot be padded");
            out[i] = s.isBatchDim(i) ? s.dim(i) : s.dim(i) + b[i] + e[i];
        }
        return in.get(0).withShape(new Shape(out));
    }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) {
        Shape s = y.in(0).shape();
        int[] b = y.attrs().ints("before"), end = new int[s.rank()];
        for (int i = 0; i < s.rank(); i++) end[i] = s.isBatchDim(i) ? s.dim(i) : b[i] + s.dim(i);
        return List.of(g.node(Ops.SLICE, Attrs.of("begin", b.clone(), "end", end), dy));
    }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        int[] s = shapes.get(0), b = a.ints("before");
        double[] x = in.get(0), r = new double[Broadcasting.numel(out)];
        java.util.Arrays.fill(r, a.d("value"));
        long[] ost = Broadcasting.strides(out, out);
        int[] idx = new int[s.length];
        for (int k = 0; k < x.length; k++) {
            long off = 0;
            for (int d = 0; d < s.length; d++) off += (idx[d] + b[d]) * ost[d];
            r[(int) off] = x[k];
            for (int d = s.length - 1; d >= 0; d--) {
                if (++idx[d] < s[d]) break;
                idx[d] = 0;
            }
        }
        return r;
    }

    public void lower(Lowering cx, Node n) {
        String out = cx.array(n), off = cx.offset(n);
        cx.emit("java.util.Arrays.fill(" + out + ", " + off + ", " + off + " + " + cx.size(n.shape().numel()) + ", " + Elementwise.lit(n.attrs().d("value")) + ");");
        Copies.box(cx, n.in(0), Copies.zeros(n.shape().rank()), n, n.attrs().ints("before"), n.in(0).shape());
    }

    public TestSpec testSpec() {
        return TestSpec.of(-2, 2, TestSpec.c(Attrs.of("before", new int[] {1, 0}, "after", new int[] {0, 2}, "value", 0.0), TensorType.f32(3, 4)),
                TestSpec.c(Attrs.of("before", new int[] {0, 1, 1}, "after", new int[] {0, 1, 1}, "value", -1.0), TensorType.f32(2, 3, 3)));
    }
}
