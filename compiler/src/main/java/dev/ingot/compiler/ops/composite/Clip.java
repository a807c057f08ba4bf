package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;

/**
 * {@code clip(x, lo, hi)} (also {@code clamp}): {@code minimum(maximum(x, lo), hi)}; bounds are
 * numbers or tensors that broadcast against {@code x}. The gradient passes where
 * {@code lo <= x <= hi} and is zero outside, as PyTorch's {@code clamp}.
 */
public final class Clip implements Builtin {
    private final String name;

    public Clip(String name) { this.name = name; }

    public String name() { return name; }
    public Signature signature() { return Signature.of(Builtin.tensor("x"), Builtin.tensor("lo"), Builtin.tensor("hi")); }
    public Node call(GraphBuilder b, Args a) { return b.minimum(b.maximum(a.tensor("x"), a.tensor("lo")), a.tensor("hi")); }
}
