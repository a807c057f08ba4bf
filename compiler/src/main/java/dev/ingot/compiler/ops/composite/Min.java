package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;

/** {@code min(x, axis, keepdims) = -max(-x, axis, keepdims)}. */
public final class Min implements Builtin {
    public String name() { return "min"; }

    public Signature signature() {
        return Signature.of(Builtin.tensor("x"), Builtin.param("axis", Kind.INTS, NONE), Builtin.param("keepdims", Kind.BOOL, false));
    }

    public Node call(GraphBuilder b, Args a) {
        Node x = a.tensor("x");
        int[] axes = a.has("axis") ? a.ints("axis") : GraphBuilder.allAxes(x.shape().rank());
        return b.neg(b.max(b.neg(x), axes, a.b("keepdims")));
    }
}
