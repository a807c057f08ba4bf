package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * A box of a tensor: {@code x[begin0:end0, begin1:end1, ...]} ({@code begin}, {@code end}, one per
 * dimension, end exclusive; a batch dimension must be taken whole). <p>Forward: a strided copy.
 * Backward: {@code dx = pad(dy)} with zeros around the box.
 */
public final class Slice implements Library {
    @Override public FusionKind fusionKind() { return FusionKind.INJECTIVE; }

    public String name() { return "slice"; }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        Shape s = in.get(0).shape();
        int[] b = a.ints("begin"), e = a.ints("end");
        if (b.length != s.rank() || e.length != s.rank()) throw new ShapeError("slice: " + b.length + " ranges for a value of rank " + s.rank() + " " + s);
        int[] out = new int[s.rank()];
        for (int i = 0; i < s.rank(); i++) {
            if (s.isBatchDim(i)) {
                if (b[i] != 0 || e[i] != s.dim(i)) throw new ShapeError("slice: the batch dimension must be taken whole (use ':' for dimension " + i + ")");
                out[i] = s.dim(i);
                continue;
            }
            if (b[i] < 0 || e[i] > s.dim(i) || b[i] >= e[i])
                throw new ShapeError("slice: range " + b[i] + ":" + e[i] + " is empty or outside dimension " + i + " of size " + s.dim(i) + " in " + s);
            out[i] = e[i] - b[i];
        }
        return in.get(0).withShape(new Shape(out));
    }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) {
        Shape s = y.in(0).shape();
        int[] b = y.attrs().ints("begin"), e = y.attrs().ints("end"), after = new int[s.rank()];
        for (int i = 0; i < s.rank(); i++) after[i] = s.isBatchDim(i) ? 0 : s.dim(i) - e[i];
        return List.of(g.node(Ops.PAD, Attrs.of("before", b.clone(), "after", after, "value", 0.0), dy));
    }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        int[] s = shapes.get(0), b = a.ints("begin");
        double[] x = in.get(0), r = new double[Broadcasting.numel(out)];
        int[] idx = new int[out.length];
        long[] st = Broadcasting.strides(s, s);
        for (int k = 0; k < r.length; k++) {
            long off = 0;
            for (int d = 0; d < out.length; d++) off += (idx[d] + (b[d] < 0 ? 0 : b[d])) * st[d];
            r[k] = x[(int) off];
            for (int d = out.length - 1; d >= 0; d--) {
                if (++idx[d] < out[d]) break;
                idx[d] = 0;
            }
        }
        return r;
    }

    public void lower(Lowering cx, Node n) { Copies.box(cx, n.in(0), n.attrs().ints("begin"), n, Copies.zeros(n.shape().rank()), n.shape()); }

    public TestSpec testSpec() {
        return TestSpec.of(-2, 2, TestSpec.c(Attrs.of("begin", new int[] {1, 0}, "end", new int[] {3, 4}), TensorType.f32(4, 4)),
                TestSpec.c(Attrs.of("begin", new int[] {0, 1, 2}, "end", new int[] {2, 3, 4}), TensorType.f32(2, 4, 5)));
    }
}
