package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * Fused multi-head scaled dot-product attention (PyTorch's {@code scaled_dot_product_attention} with the heads
 * folded into the feature axis): {@code attention(q, k, v[, mask])} with {@code q [batch, t, heads * dk]},
 * {@code k [batch, s, heads * dk]}, {@code v [batch, s, heads * dv]} gives {@code [batch, t, heads * dv]}, head
 * {@code h} of row {@code i} being {@code sum_j softmax_j(scale * q_ih . k_jh + mask[b, h, i, j]) v_jh}. Attributes
 * {@code heads}, {@code scale}, {@code causal} (key {@code j} seen by query {@code i} only if {@code j <= i}; the pass
 * {@code CausalAttention} sets it in place of a constant {@code causal_mask}). The optional additive mask broadcasts to
 * {@code [batch, heads, t, s]}.
 * <p>Forward: one runtime kernel ({@code Attention.forward}) that never stores the scores (flash-attention style;
 * heads indexed in place, no split or merge copies). Backward: {@code attention_grad} recomputes the probabilities
 * and gives {@code dq}, {@code dk}, {@code dv} in one kernel (packed per image, sliced apart here) and, only if the
 * mask needs a gradient, the scores' gradient in a second one.
 */
public final class Attention implements Library {
    public String name() { return "attention"; }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        if (in.size() != 3 && in.size() != 4) throw new ShapeError("attention: takes q, k, v and an optional mask, got " + in.size() + " operands");
        Shape q = in.get(0).shape(), k = in.get(1).shape(), v = in.get(2).shape();
        int heads = a.i("heads");
        if (q.rank() != 3 || k.rank() != 3 || v.rank() != 3)
            throw new ShapeError("attention: q, k and v must be [batch, length, features], got " + q + ", " + k + ", " + v);
        if (q.dim(0) != k.dim(0) || k.dim(0) != v.dim(0)) throw new ShapeError("attention: q " + q + ", k " + k + " and v " + v + " have different batch sizes");
        if (k.dim(1) != v.dim(1)) throw new ShapeError("attention: k " + k + " and v " + v + " must have the same length (keys and values pair up)");
        if (q.dim(2) != k.dim(2)) throw new ShapeError("attention: q " + q + " and k " + k + " must have the same feature size");
        if (q.isBatchDim(1) || k.isBatchDim(1) || q.isBatchDim(2) || v.isBatchDim(2)) throw new ShapeError("attention: the batch dimension must be the first of q, k and v");
        if (heads <= 0 || q.dim(2) % heads != 0 || v.dim(2) % heads != 0)
            throw new ShapeError("attention: " + heads + " heads must divide the feature sizes " + q.dim(2) + " (q, k) and " + v.dim(2) + " (v)");
        if (in.size() == 4) {
            Shape full = scores(q, k, heads), m = in.get(3).shape();
            if (m.rank() > 4 || !Broadcasting.broadcast("attention mask", m, full).equals(full))
                throw new ShapeError("attention: the mask " + m + " must broadcast to [batch, heads, t, s] " + full);
        }
        return TensorType.f32(Shape.of(q.dim(0), q.dim(1), v.dim(2)));
    }

    /** The scores' shape {@code [batch, heads, t, s]}. */
    static Shape scores(Shape q, Shape k, int heads) { return Shape.of(q.dim(0), heads, q.dim(1), k.dim(1)); }

    public List<Node> vjp(GraphBuilder g, Node o, Node dO) {
        List<Node> ins = new ArrayList<>(o.inputs());
        ins.add(o);
        ins.add(dO);
        Node q = o.in(0), k = o.in(1), v = o.in(2);
        Node packed = g.node(Ops.ATTENTION_GRAD, ins, o.attrs().with("part", "qkv"));
        int t = q.shape().dim(1), s = k.shape().dim(1), e = q.shape().dim(2), ev = v.shape().dim(2);
        List<Node> d = new ArrayList<>(List.of(
                part(g, packed, 0, t * e, q.shape()), part(g, packed, t * e, (t + s) * e, k.shape()), part(g, packed, (t + s) * e, (t + s) * e + s * ev, v.shape())));
        if (o.inputs().size() == 4) d.add(g.node(Ops.ATTENTION_GRAD, ins, o.attrs().with("part", "mask")));
        return d;
    }

    /** Elements {@code [from, to)} of each image of the packed gradient, as a value of {@code shape}. */
    private static Node part(GraphBuilder g, Node packed, int from, int to, Shape shape) {
        int b = packed.shape().dim(0);
        Node sl = g.node(Ops.SLICE, Attrs.of("begin", new int[] {0, from}, "end", new int[] {b, to}), packed);
        return g.reshape(sl, shape);
    }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        return new Reference(in, shapes, a).forward();
    }

    public void lower(Lowering cx, Node o) {
        Node q = o.in(0), k = o.in(1), v = o.in(2), mask = o.inputs().size() == 4 ? o.in(3) : null;
        cx.emit("Attention.forward(" + shapeConstant(cx, o) + ", " + cx.size(q.shape().size(0)) + ", " + operands(cx, q, k, v) + ", "
                + operand(cx, mask) + ", " + cx.array(o) + ", " + cx.offset(o) + ", " + cx.vector() + ");");
    }

    static String operands(Lowering cx, Node... ns) {
        List<String> r = new ArrayList<>();
        for (Node n : ns) r.add(operand(cx, n));
        return String.join(", ", r);
    }

    /** {@code array, offset} of {@code n}, or {@code null, 0}. */
    static String operand(Lowering cx, Node n) { return n == null ? "null, 0" : cx.array(n) + ", " + cx.offset(n); }

    /**
     * The call site's {@code AttentionShape} constant: sizes, scale, causality and the mask's strides in {@code
     * [batch, heads, t, s]} (0 along a dimension it broadcasts over); {@code n} is the forward node or its gradient.
     */
    static String shapeConstant(Lowering cx, Node n) {
        Shape q = n.in(0).shape(), k = n.in(1).shape(), v = n.in(2).shape();
        int heads = n.attrs().i("heads");
        boolean masked = n.op() == Ops.ATTENTION ? n.inputs().size() == 4 : n.inputs().size() == 6;
        StringBuilder init = new StringBuilder("new AttentionShape(" + heads + ", " + q.dim(1) + ", " + k.dim(1) + ", " + q.dim(2) / heads + ", "
                + v.dim(2) / heads + ", " + (float) n.attrs().d("scale") + "f, " + n.attrs().b("causal"));
        if (masked) {
            Shape m = n.in(3).shape(), full = scores(q, k, heads);
            for (int axis = 0; axis < 4; axis++) {
                int mi = axis - (4 - m.rank());
                boolean broadcast = mi < 0 || (m.dim(mi) == 1 && full.dim(axis) != 1);
                if (broadcast) { init.append(", 0"); continue; }
                var stride = m.stride(mi);
                if (!stride.isConstant()) throw new IllegalStateException("attention mask " + m + ": the batch dimension must come first");
                init.append(", ").append(stride.constant());
            }
        }
        return cx.constant("AttentionShape", "ATTENTION", init.append(")").toString());
    }

    public TestSpec testSpec() {
        return TestSpec.of(-1, 1,
                TestSpec.c(Attrs.of("heads", 2, "scale", 0.5, "causal", false), TensorType.f32(2, 3, 4), TensorType.f32(2, 5, 4), TensorType.f32(2, 5, 6)),
                TestSpec.c(Attrs.of("heads", 1, "scale", 0.7, "causal", true), TensorType.f32(1, 4, 3), TensorType.f32(1, 4, 3), TensorType.f32(1, 4, 2)),
                TestSpec.c(Attrs.of("heads", 2, "scale", 0.5, "causal", false), TensorType.f32(2, 3, 4), TensorType.f32(2, 5, 4), TensorType.f32(2, 5, 4),
                        TensorType.f32(3, 5)),
                TestSpec.c(Attrs.of("heads", 2, "scale", 1.0, "causal", true), TensorType.f32(2, 3, 2), TensorType.f32(2, 3, 2), TensorType.f32(2, 3, 4),
                        TensorType.f32(2, 1, 1, 3)),
                // head widths of whole vectors (AVX-512: 32 = two, 16 = one), row and key blocks with remainders
                TestSpec.c(Attrs.of("heads", 2, "scale", 0.2, "causal", false), TensorType.f32(1, 6, 64), TensorType.f32(1, 7, 64), TensorType.f32(1, 7, 32),
                        TensorType.f32(6, 7)),
                TestSpec.c(Attrs.of("heads", 1, "scale", 0.2, "causal", true), TensorType.f32(1, 9, 32), TensorType.f32(1, 9, 32), TensorType.f32(1, 9, 32)),
                // more query rows than a few blocks of 16 lanes (AttentionLanes), with a partial last block
                TestSpec.c(Attrs.of("heads", 1, "scale", 0.5, "causal", true), TensorType.f32(1, 70, 2), TensorType.f32(1, 70, 2), TensorType.f32(1, 70, 2)));
    }

    /**
     * Float64 reference semantics of the forward op and of its gradient ({@link AttentionGrad}), the plain
     * definition: all scores, a softmax per row, the weighted sums.
     */
    static final class Reference {
        final double[] q, k, v, mask;
        final int batch, heads, t, s, dk, dv;
        final double scale;
        final boolean causal;
        final long[] mst;

        Reference(List<double[]> in, List<int[]> shapes, Attrs a) {
            int[] qs = shapes.get(0), ks = shapes.get(1), vs = shapes.get(2);
            q = in.get(0);
            k = in.get(1);
            v = in.get(2);
            heads = a.i("heads");
            batch = qs[0];
            t = qs[1];
            s = ks[1];
            dk = qs[2] / heads;
            dv = vs[2] / heads;
            scale = a.d("scale");
            causal = a.b("causal");
            boolean masked = in.size() == 4 || in.size() == 6;
            mask = masked ? in.get(3) : null;
            mst = masked ? Broadcasting.strides(shapes.get(3), new int[] {batch, heads, t, s}) : null;
        }

        /** Softmax row {@code i} of head {@code h} of image {@code b}. */
        double[] probabilities(int b, int h, int i) {
            double[] p = new double[s];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < s; j++) {
                double x = 0;
                for (int c = 0; c < dk; c++) x += q[(b * t + i) * heads * dk + h * dk + c] * k[(b * s + j) * heads * dk + h * dk + c];
                x *= scale;
                if (mask != null) x += mask[(int) (b * mst[0] + h * mst[1] + i * mst[2] + j * mst[3])];
                if (causal && j > i) x = Double.NEGATIVE_INFINITY;
                p[j] = x;
                max = Math.max(max, x);
            }
            double sum = 0;
            for (int j = 0; j < s; j++) sum += p[j] = Math.exp(p[j] - max);
            for (int j = 0; j < s; j++) p[j] /= sum;
            return p;
        }

        double[] forward() {
            double[] o = new double[batch * t * heads * dv];
            for (int b = 0; b < batch; b++)
                for (int h = 0; h < heads; h++)
                    for (int i = 0; i < t; i++) {
                        double[] p = probabilities(b, h, i);
                        for (int c = 0; c < dv; c++) {
                            double acc = 0;
                            for (int j = 0; j < s; j++) acc += p[j] * v[(b * s + j) * heads * dv + h * dv + c];
                            o[(b * t + i) * heads * dv + h * dv + c] = acc;
                        }
                    }
            return o;
        }

        /** {@code part == "qkv"}: {@code [dq | dk | dv]} per image; {@code "mask"}: the scores' gradient {@code [b, h, t, s]}. */
        double[] backward(double[] dO, boolean qkv) {
            int e = heads * dk, ev = heads * dv, per = (t + s) * e + s * ev;
            double[] g = new double[qkv ? batch * per : batch * heads * t * s];
            for (int b = 0; b < batch; b++)
                for (int h = 0; h < heads; h++)
                    for (int i = 0; i < t; i++) {
                        double[] p = probabilities(b, h, i), ds = new double[s];
                        int oi = (b * t + i) * ev + h * dv;
                        double dot = 0;
                        for (int j = 0; j < s; j++) {
                            double dp = 0;
                            for (int c = 0; c < dv; c++) dp += dO[oi + c] * v[(b * s + j) * ev + h * dv + c];
                            ds[j] = dp;
                            dot += p[j] * dp;
                        }
                        for (int j = 0; j < s; j++) ds[j] = p[j] * (ds[j] - dot);
                        if (!qkv) {
                            System.arraycopy(ds, 0, g, ((b * heads + h) * t + i) * s, s);
                            continue;
                        }
                        int qi = (b * t + i) * e + h * dk;
                        for (int j = 0; j < s; j++) {
                            int kj = (b * s + j) * e + h * dk, vj = (b * s + j) * ev + h * dv;
                            for (int c = 0; c < dk; c++) {
                                g[b * per + i * e + h * dk + c] += scale * ds[j] * k[kj + c];
                                g[b * per + (t + j) * e + h * dk + c] += scale * ds[j] * q[qi + c];
                            }
                            for (int c = 0; c < dv; c++) g[b * per + (t + s) * e + j * ev + h * dv + c] += p[j] * dO[oi + c];
                        }
                    }
            return g;
        }
    }
}
