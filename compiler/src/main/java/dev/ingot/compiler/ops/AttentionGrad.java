package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * The gradient of {@link Attention}: operands {@code q, k, v[, mask], o, dO} (the forward op's, its output and the
 * output's gradient), the forward attributes and {@code part}:
 * <ul>
 *   <li>{@code "qkv"}: {@code [batch, t*e + s*e + s*ev]}, per image {@code dq}, {@code dk}, {@code dv} back to back
 *       (one kernel computes all three from the same recomputed probabilities);</li>
 *   <li>{@code "mask"}: the scores' gradient {@code [batch, heads, t, s]}, the mask's before it is summed over the
 *       dimensions the mask broadcasts over (built only when the mask needs a gradient).</li>
 * </ul>
 * Produced by {@link Attention#vjp}; not differentiated again.
 */
public final class AttentionGrad implements Library {
    public String name() { return "attention_grad"; }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        if (in.size() != 5 && in.size() != 6) throw new ShapeError("attention_grad: takes q, k, v, an optional mask, o and dO, got " + in.size() + " operands");
        Shape q = in.get(0).shape(), k = in.get(1).shape(), v = in.get(2).shape();
        int heads = a.i("heads");
        if ("mask".equals(a.s("part"))) return TensorType.f32(Attention.scores(q, k, heads));
        int t = q.dim(1), s = k.dim(1), e = q.dim(2), ev = v.dim(2);
        return TensorType.f32(Shape.of(q.dim(0), (t + s) * e + s * ev));
    }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return null; }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        return new Attention.Reference(in, shapes, a).backward(in.get(in.size() - 1), !"mask".equals(a.s("part")));
    }

    public void lower(Lowering cx, Node g) {
        int n = g.inputs().size();
        Node q = g.in(0), k = g.in(1), v = g.in(2), mask = n == 6 ? g.in(3) : null, o = g.in(n - 2), dO = g.in(n - 1);
        boolean qkv = !"mask".equals(g.attrs().s("part"));
        String out = Attention.operand(cx, g);
        cx.emit("Attention.backward(" + Attention.shapeConstant(cx, g) + ", " + cx.size(q.shape().size(0)) + ", " + Attention.operands(cx, q, k, v) + ", "
                + Attention.operand(cx, mask) + ", " + Attention.operands(cx, o, dO) + ", " + (qkv ? out + ", null, 0" : "null, 0, " + out) + ", " + cx.vector() + ");");
    }
}
