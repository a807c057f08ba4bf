package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ShapeError;

/**
 * {@code gelu(x, approximate = "none")}, PyTorch's GELU: exact {@code x/2 (1 + erf(x/sqrt 2))}, or
 * with {@code approximate = "tanh"} {@code x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}.
 */
public final class Gelu implements Builtin {
    public String name() { return "gelu"; }
    public Signature signature() { return Signature.of(Builtin.tensor("x"), Builtin.param("approximate", Kind.STRING, "none")); }

    public Node call(GraphBuilder b, Args a) {
        Node x = a.tensor("x");
        String mode = a.s("approximate");
        Node inner;
        if (mode.equals("none")) inner = b.node(Ops.ERF, b.mul(x, 1 / Math.sqrt(2)));
        else if (mode.equals("tanh")) inner = b.tanh(b.mul(b.add(x, b.mul(b.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI)));
        else throw new ShapeError("gelu: approximate must be \"none\" or \"tanh\", got \"" + mode + "\"");
        return b.mul(b.mul(x, 0.5), b.add(b.one(), inner));
    }
}
