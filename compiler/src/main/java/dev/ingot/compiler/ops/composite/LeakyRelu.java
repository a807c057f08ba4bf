package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;

/** {@code leaky_relu(x, alpha=0.01) = where(x > 0, x, alpha * x)} (PyTorch's default slope). */
public final class LeakyRelu implements Builtin {
    public String name() { return "leaky_relu"; }
    public Signature signature() { return Signature.of(Builtin.tensor("x"), Builtin.param("alpha", Kind.NUMBER, 0.01)); }

    public Node call(GraphBuilder b, Args a) {
        Node x = a.tensor("x");
        return b.where(b.gt(x, b.zero()), x, b.mul(x, a.d("alpha")));
    }
}
