package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;

/**
 * {@code log_softmax(x, axis=-1) = z - log(sum(exp(z), axis))} with {@code z = x - max(x, axis)}.
 * <p>NOTE: the max is wrapped in stop_gradient: subtracting any per-row constant leaves log_softmax
 * unchanged, so its exact gradient through the max is zero; computing it would only add work.
 */
public final class LogSoftmax implements Builtin {
    public String name() { return "log_softmax"; }
    public Signature signature() { return Signature.of(Builtin.tensor("x"), Builtin.param("axis", Kind.INT, -1)); }
    public Node call(GraphBuilder b, Args a) { return logSoftmax(b, a.tensor("x"), a.i("axis")); }

    public static Node logSoftmax(GraphBuilder b, Node x, int axis) {
        int[] ax = {axis};
        Node z = b.sub(x, b.stopGradient(b.max(x, ax, true)));
        return b.sub(z, b.log(b.sum(b.exp(z), ax, true)));
    }
}
