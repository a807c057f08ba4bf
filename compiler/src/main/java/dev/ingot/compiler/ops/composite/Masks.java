package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Builtin;

/**
 * Constant tables for attention: {@code causal_mask(t)} is the additive mask {@code [t, t]}, 0 where
 * a position may attend (column <= row) and -infinity elsewhere; {@code sinusoidal_positions(t, d)}
 * is the fixed positional encoding of "Attention is all you need" ({@code sin} on even, {@code cos}
 * on odd features).
 */
public final class Masks implements Builtin {
    private final boolean causal;

    public Masks(boolean causal) { this.causal = causal; }

    public String name() { return causal ? "causal_mask" : "sinusoidal_positions"; }

    public Signature signature() {
        return causal ? Signature.of(Builtin.param("t", Kind.INT, null)) : Signature.of(Builtin.param("t", Kind.INT, null), Builtin.param("d", Kind.INT, null));
    }

    public Node call(GraphBuilder b, Args a) {
        int t = a.i("t");
        if (causal) {
            double[] m = new double[t * t];
            for (int i = 0; i < t; i++) for (int j = 0; j < t; j++) m[i * t + j] = j <= i ? 0 : Double.NEGATIVE_INFINITY;
            return b.constTensor(Shape.of(t, t), m);
        }
        int d = a.i("d");
        double[] p = new double[t * d];
        for (int pos = 0; pos < t; pos++)
            for (int i = 0; i < d; i++) {
                double angle = pos / Math.pow(10000, 2.0 * (i / 2) / d);
                p[pos * d + i] = i % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
            }
        return b.constTensor(Shape.of(t, d), p);
    }
}
