package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Builtin;

/**
 * {@code mean(x, axis=all, keepdims=false) = sum(x, axis) / count}. When the batch dimension is
 * reduced, the count is the runtime batch size, so a partial last batch is averaged correctly.
 */
public final class Mean implements Builtin {
    public String name() { return "mean"; }

    public Signature signature() {
        return Signature.of(Builtin.tensor("x"), Builtin.param("axis", Kind.INTS, NONE), Builtin.param("keepdims", Kind.BOOL, false));
    }

    public Node call(GraphBuilder b, Args a) {
        Node x = a.tensor("x");
        int[] axes = a.has("axis") ? a.ints("axis") : GraphBuilder.allAxes(x.shape().rank());
        return mean(b, x, axes, a.b("keepdims"));
    }

    public static Node mean(GraphBuilder b, Node x, int[] axes, boolean keepdims) {
        Node s = b.sum(x, axes, keepdims);
        int[] reduced = new int[axes.length];
        for (int i = 0; i < axes.length; i++) reduced[i] = x.shape().dim(axes[i]);
        return b.div(s, b.count(new Shape(reduced)));
    }
}
