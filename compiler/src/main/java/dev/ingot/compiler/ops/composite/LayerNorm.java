package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.compiler.ops.ShapeError;

/**
 * {@code layer_normalize(x, gamma, beta, eps = 1e-5)}: PyTorch's LayerNorm over the last axis,
 * {@code (x - mean) / sqrt(var + eps) * gamma + beta} with the biased variance.
 */
public final class LayerNorm implements Builtin {
    public String name() { return "layer_normalize"; }

    public Signature signature() {
        return Signature.of(Builtin.tensor("x"), Builtin.tensor("gamma"), Builtin.tensor("beta"), Builtin.param("eps", Kind.NUMBER, 1e-5));
    }

    public Node call(GraphBuilder b, Args a) {
        Node x = a.tensor("x"), g = a.tensor("gamma"), bt = a.tensor("beta");
        int d = x.shape().dim(-1);
        if (!g.shape().equals(dev.ingot.compiler.ir.Shape.of(d)) || !bt.shape().equals(g.shape()))
            throw new ShapeError("layer_normalize: " + x.shape() + " needs gamma and beta of shape [" + d + "], got " + g.shape() + " and " + bt.shape());
        int[] last = {x.shape().rank() - 1};
        Node mean = b.mul(b.sum(x, last, true), 1.0 / d);
        Node c = b.sub(x, mean);
        Node var = b.mul(b.sum(b.mul(c, c), last, true), 1.0 / d);
        return b.add(b.mul(b.mul(c, b.pow(b.add(var, b.constant(a.d("eps"))), -0.5)), g), bt);
    }
}
