package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ShapeError;

/**
 * {@code dropout(x, rate)}: in training, zeroes each element with probability {@code rate} and
 * scales the rest by {@code 1 / (1 - rate)} (inverted dropout, as Keras and PyTorch); in inference,
 * the identity. The mask is {@code random_uniform(seed, counter) >= rate}: seeded by the model's
 * seed, new every step, and drawn inside the fused loop (nothing stored but what the backward pass
 * needs).
 */
public final class Dropout implements Builtin {
    public String name() { return "dropout"; }
    public Signature signature() { return Signature.of(Builtin.tensor("x"), Builtin.param("rate", Kind.NUMBER, null)); }

    public Node call(GraphBuilder b, Args a) {
        Node x = a.tensor("x");
        double rate = a.d("rate");
        if (rate < 0 || rate >= 1) throw new ShapeError("dropout: rate must be in [0, 1), got " + rate);
        if (rate == 0) return x;
        Node u = b.node(Ops.RANDOM_UNIFORM, Attrs.of("shape", x.shape().dims(), "stream", b.nextStream()), b.rngSeed(), b.rngCounter());
        Node train = b.where(b.ge(u, b.constant(rate)), b.mul(x, 1 / (1 - rate)), b.zero());
        return b.node(Ops.PHASE, train, x);
    }
}
