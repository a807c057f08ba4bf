package dev.ingot.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The epilogue of a matrix product or a convolution, applied to each block of the output by the
 * thread that computed it, right after it is final (while it is still in cache), instead of by a
 * separate pass: {@code C[i, j] = act(C[i, j] + bias[j])} for a product (bias per column),
 * {@code y[n, o, :, :] = act(y[n, o, :, :] + bias[o])} for a convolution (bias per channel, a row of
 * {@link #rows}). A dense or convolution layer's bias and ReLU are its usual epilogue. The compiler's
 * schedule decides which kernels take one ({@code Kernel.Call.Epilogue}); the kernels receive it as
 * plain arguments: a bias array (or null) and an activation code.
 */
public final class Epilogue {
    private Epilogue() {}

    /** No activation. */
    public static final int NONE = 0;
    /** {@code max(x, 0)}, as the DSL's relu ({@code where(x > 0, x, 0)}: -0 and NaN become 0). */
    public static final int RELU = 1;

    /** Whether there is anything to apply. */
    static boolean any(float[] bias, int act) { return bias != null || act != NONE; }

    /** Rows [r0, r1) and columns [c0, c1) of C ([m, n] row-major at cOff), vectorized when the Vector API is on. */
    static void apply(float[] c, int cOff, int n, int r0, int r1, int c0, int c1, float[] bias, int biasOff, int act) {
        if (!any(bias, act)) return;
        if (Simd.ENABLED) vector(c, cOff, n, r0, r1, c0, c1, bias, biasOff, act);
        else scalar(c, cOff, n, r0, r1, c0, c1, bias, biasOff, act);
    }

    /**
     * Rows [r0, r1) of length {@code len} at {@code off} (row r at {@code off + r * len}), row r biased by
     * {@code bias[biasOff + r]}: the channels of one convolution output image.
     */
    static void rows(float[] y, int off, int len, int r0, int r1, float[] bias, int biasOff, int act) {
        if (!any(bias, act)) return;
        for (int r = r0; r < r1; r++) {
            float b = bias == null ? 0f : bias[biasOff + r];
            if (Simd.ENABLED) plane(y, off + r * len, len, bias != null, b, act);
            else for (int i = off + r * len, e = i + len; i < e; i++) y[i] = act(bias != null ? b + y[i] : y[i], act);
        }
    }

    private static float act(float v, int act) { return act == RELU ? (v > 0 ? v : 0f) : v; }

    private static void plane(float[] y, int off, int len, boolean withBias, float b, int act) {
        VectorSpecies<Float> f = Simd.F;
        FloatVector zero = FloatVector.zero(f), vb = FloatVector.broadcast(f, b);
        int i = off, e = off + len;
        for (; i <= e - f.length(); i += f.length()) {
            FloatVector v = FloatVector.fromArray(f, y, i);
            if (withBias) v = vb.add(v);
            if (act == RELU) v = v.blend(zero, v.compare(jdk.incubator.vector.VectorOperators.GT, zero).not());
            v.intoArray(y, i);
        }
        for (; i < e; i++) y[i] = act(withBias ? b + y[i] : y[i], act);
    }

    /** Plain Java: loads no Vector API class. */
    static void scalar(float[] c, int cOff, int n, int r0, int r1, int c0, int c1, float[] bias, int biasOff, int act) {
        for (int i = r0; i < r1; i++) {
            int row = cOff + i * n;
            for (int j = c0; j < c1; j++) {
                float v = c[row + j];
                if (bias != null) v += bias[biasOff + j];
                if (act == RELU) v = v > 0 ? v : 0f;
                c[row + j] = v;
            }
        }
    }

    private static void vector(float[] c, int cOff, int n, int r0, int r1, int c0, int c1, float[] bias, int biasOff, int act) {
        VectorSpecies<Float> f = Simd.F;
        int l = f.length();
        FloatVector zero = FloatVector.zero(f);
        for (int i = r0; i < r1; i++) {
            int row = cOff + i * n;
            int j = c0;
            for (; j <= c1 - l; j += l) {
                FloatVector v = FloatVector.fromArray(f, c, row + j);
                if (bias != null) v = v.add(FloatVector.fromArray(f, bias, biasOff + j));
                if (act == RELU) v = v.blend(zero, v.compare(jdk.incubator.vector.VectorOperators.GT, zero).not());
                v.intoArray(c, row + j);
            }
            for (; j < c1; j++) {
                float v = c[row + j];
                if (bias != null) v += bias[biasOff + j];
                if (act == RELU) v = v > 0 ? v : 0f;
                c[row + j] = v;
            }
        }
    }
}
