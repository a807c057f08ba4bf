package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * Concatenation of any number of tensors along {@code axis} (not a batch axis); the other
 * dimensions must agree. <p>Forward: one copy per input into its place. Backward: each input's
 * gradient is its slice of {@code dy}.
 */
public final class Concat implements Library {
    @Override public FusionKind fusionKind() { return FusionKind.INJECTIVE; }

    public String name() { return "concat"; }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        if (in.isEmpty()) throw new ShapeError("concat: nothing to concatenate");
        Shape s0 = in.get(0).shape();
        int ax = a.i("axis");
        if (ax < 0 || ax >= s0.rank()) throw new ShapeError("concat: axis " + ax + " out of range for " + s0);
        int total = 0;
        for (TensorType t : in) {
            Shape s = t.shape();
            if (s.rank() != s0.rank() || t.dtype() != in.get(0).dtype()) throw new ShapeError("concat: cannot join " + s0 + " and " + s + " (ranks or types differ)");
            for (int i = 0; i < s.rank(); i++)
                if (i != ax && s.dim(i) != s0.dim(i)) throw new ShapeError("concat along axis " + ax + ": shapes " + s0 + " and " + s + " differ in dimension " + i);
            if (s.isBatchDim(ax)) throw new ShapeError("concat: cannot join along the batch dimension");
            total += s.dim(ax);
        }
        return in.get(0).withShape(s0.with(ax, total));
    }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) {
        int ax = y.attrs().i("axis"), at = 0;
        List<Node> r = new ArrayList<>();
        for (Node x : y.inputs()) {
            int[] b = new int[x.shape().rank()], e = x.shape().dims();
            b[ax] = at;
            e[ax] = at + x.shape().dim(ax);
            at += x.shape().dim(ax);
            r.add(g.node(Ops.SLICE, Attrs.of("begin", b, "end", e), dy));
        }
        return r;
    }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        int ax = a.i("axis");
        long outer = 1;
        for (int d = 0; d < ax; d++) outer *= out[d];
        double[] r = new double[Broadcasting.numel(out)];
        int outChunk = Broadcasting.numel(out) / (int) outer, at = 0;
        for (int k = 0; k < in.size(); k++) {
            int chunk = Broadcasting.numel(shapes.get(k)) / (int) outer;
            for (int o = 0; o < outer; o++) System.arraycopy(in.get(k), o * chunk, r, o * outChunk + at, chunk);
            at += chunk;
        }
        return r;
    }

    public void lower(Lowering cx, Node n) {
        int ax = n.attrs().i("axis"), at = 0;
        for (Node x : n.inputs()) {
            int[] dst = new int[x.shape().rank()];
            dst[ax] = at;
            Copies.box(cx, x, Copies.zeros(x.shape().rank()), n, dst, x.shape());
            at += x.shape().dim(ax);
        }
    }

    public TestSpec testSpec() {
        return TestSpec.of(-2, 2, TestSpec.c(Attrs.of("axis", 1), TensorType.f32(3, 2), TensorType.f32(3, 4)),
                TestSpec.c(Attrs.of("axis", 0), TensorType.f32(1, 3), TensorType.f32(2, 3), TensorType.f32(1, 3)));
    }
}
