package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;

/** {@code square(x) = x * x}. */
public final class Square implements Builtin {
    public String name() { return "square"; }
    public Signature signature() { return Signature.of(Builtin.tensor("x")); }
    public Node call(GraphBuilder b, Args a) { return b.mul(a.tensor("x"), a.tensor("x")); }
}
