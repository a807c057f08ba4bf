package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ShapeError;

/** {@code pad(x, before, after, value = 0)}: constant padding, one count per dimension on each side. */
public final class PadFn implements Builtin {
    public String name() { return "pad"; }

    public Signature signature() {
        return Signature.of(Builtin.tensor("x"), Builtin.param("before", Kind.INTS, null), Builtin.param("after", Kind.INTS, null), Builtin.param("value", Kind.NUMBER, 0.0));
    }

    public Node call(GraphBuilder b, Args a) {
        Node x = a.tensor("x");
        int[] before = a.ints("before"), after = a.ints("after");
        if (before.length != x.shape().rank() || after.length != x.shape().rank())
            throw new ShapeError("pad: give one count per dimension of " + x.shape() + " in before and after (0 for the batch)");
        return b.node(Ops.PAD, Attrs.of("before", before, "after", after, "value", a.d("value")), x);
    }
}
