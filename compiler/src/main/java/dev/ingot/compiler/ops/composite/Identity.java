package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;

/** {@code identity(x) = x}: the default activation of layers (Keras' {@code linear}). */
public final class Identity implements Builtin {
    public String name() { return "identity"; }
    public Signature signature() { return Signature.of(Builtin.tensor("x")); }
    public Node call(GraphBuilder b, Args a) { return a.tensor("x"); }
}
