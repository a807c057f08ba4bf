package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;

/** {@code global_avg_pool2d(x)}: {@code [batch, c, h, w] -> [batch, c]}, the mean over each channel's pixels. */
public final class GlobalAvgPool implements Builtin {
    public String name() { return "global_avg_pool2d"; }
    public Signature signature() { return Signature.of(Builtin.tensor("x")); }

    public Node call(GraphBuilder b, Args a) {
        Node x = a.tensor("x");
        Windowing.checkImage(name(), x.shape());
        return Mean.mean(b, x, new int[] {2, 3}, false);
    }
}
