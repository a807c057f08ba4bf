package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;

/**
 * {@code relu(x) = where(x > 0, x, 0)}.
 * <p>NOTE: not {@code maximum(x, 0)}: that rule sends the gradient to x on the tie at 0, where
 * PyTorch and Keras give 0. The where form gives {@code dx = where(x > 0, dy, 0)}, theirs exactly.
 */
public final class Relu implements Builtin {
    public String name() { return "relu"; }
    public Signature signature() { return Signature.of(Builtin.tensor("x")); }

    public Node call(GraphBuilder b, Args a) {
        Node x = a.tensor("x");
        return b.where(b.gt(x, b.zero()), x, b.zero());
    }

    /** The x of {@code y = where(x > 0, x, 0)} (the form {@link #call} builds), or null when {@code y} is not a ReLU. */
    public static Node input(Node y) {
        if (y.op() != dev.ingot.compiler.ops.Ops.WHERE || !y.in(2).isConst(0)) return null;
        Node m = y.in(0);
        return m.op() == dev.ingot.compiler.ops.Ops.GT && m.in(0) == y.in(1) && m.in(1).isConst(0) ? y.in(1) : null;
    }
}
