package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;

/**
 * {@code global_max_pool1d(x)} and {@code global_avg_pool1d(x)}: {@code [batch, c, length] -> [batch, c]},
 * the maximum (Keras' GlobalMaxPooling1D over NCL) or mean of each channel over the length.
 */
public final class GlobalPool1d implements Builtin {
    private final boolean max;

    public GlobalPool1d(boolean max) { this.max = max; }

    public String name() { return max ? "global_max_pool1d" : "global_avg_pool1d"; }

    public Signature signature() { return Signature.of(Builtin.tensor("x")); }

    public Node call(GraphBuilder b, Args a) {
        Node x = a.tensor("x");
        Windowing.checkSignal(name(), x.shape());
        return max ? b.max(x, new int[] {2}, false) : Mean.mean(b, x, new int[] {2}, false);
    }
}
