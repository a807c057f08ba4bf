package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;

/** {@code softmax(x, axis=-1) = e / sum(e, axis)} with {@code e = exp(x - max(x, axis))} (max without gradient, see LogSoftmax). */
public final class Softmax implements Builtin {
    public String name() { return "softmax"; }
    public Signature signature() { return Signature.of(Builtin.tensor("x"), Builtin.param("axis", Kind.INT, -1)); }

    public Node call(GraphBuilder b, Args a) {
        Node x = a.tensor("x");
        int[] ax = {a.i("axis")};
        Node e = b.exp(b.sub(x, b.stopGradient(b.max(x, ax, true))));
        return b.div(e, b.sum(e, ax, true));
    }
}
