package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Builtin;

/** {@code flatten(x)}: {@code [batch, c, h, w] -> [batch, c*h*w]} (all dimensions after the first merged; a free view). */
public final class Flatten implements Builtin {
    public String name() { return "flatten"; }
    public Signature signature() { return Signature.of(Builtin.tensor("x")); }

    public Node call(GraphBuilder b, Args a) {
        Node x = a.tensor("x");
        Shape s = x.shape();
        if (s.rank() <= 2) return x;
        int rest = 1;
        for (int i = 1; i < s.rank(); i++) rest *= s.dim(i);
        return b.reshape(x, Shape.of(s.dim(0), rest));
    }
}
