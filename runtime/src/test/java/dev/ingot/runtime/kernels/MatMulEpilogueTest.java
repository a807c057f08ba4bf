package dev.ingot.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.ingot.runtime.exec.Parallel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A matrix product with an epilogue ({@code C = act(C + bias)}, applied block by block by the thread
 * that computed the block) gives exactly the bits of the product followed by a separate pass, in
 * every split the kernels choose (small M, dot products, row blocks, column panels, one thread or
 * several), with packed weights, and on the scalar path.
 */
class MatMulEpilogueTest {
    @AfterEach
    void restore() { Parallel.setThreads(Runtime.getRuntime().availableProcessors()); }

    /** m, n, k: small M, one column panel, narrow N, row blocks, column panels, a long K (dot products). */
    static final int[][] SHAPES = {{3, 70, 20}, {32, 64, 33}, {17, 10, 40}, {600, 96, 50}, {40, 700, 64}, {8, 50, 3000}, {1, 1, 1}};

    @Test
    void everySplitGivesTheSeparatePassBits() {
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (int[] s : SHAPES)
                for (boolean ta : new boolean[] {false, true})
                    for (boolean tb : new boolean[] {false, true})
                        for (int act : new int[] {MatMulEpilogue.NONE, MatMulEpilogue.RELU})
                            for (boolean withBias : new boolean[] {false, true}) check(s[0], s[1], s[2], ta, tb, withBias, act, threads);
        }
    }

    private static void check(int m, int n, int k, boolean ta, boolean tb, boolean withBias, int act, int threads) {
        SplittableRandom r = new SplittableRandom(m * 31L + n * 7L + k);
        float[] a = rnd(r, m * k), b = rnd(r, k * n), bias = withBias ? rnd(r, n + 3) : null;
        float[] want = new float[m * n + 5], got = new float[m * n + 5];
        MatMul.matmul(a, 0, ta, b, 0, tb, want, 5, m, n, k, false);
        separate(want, 5, m, n, bias, 3, act);
        MatMul.matmul(a, 0, ta, b, 0, tb, got, 5, m, n, k, false, bias, 3, act);
        String what = m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb + " bias=" + withBias + " act=" + act + " threads=" + threads;
        assertArrayEquals(want, got, what);
        if (!tb) {   // packed weights (the loop-body path)
            float[] bp = new float[MatMulPacked.size(k, n)];
            MatMulPacked.pack(b, 0, false, k, n, bp, 0);
            float[] packed = new float[m * n + 5], packedWant = new float[m * n + 5];
            MatMulPacked.matmul(a, 0, ta, bp, 0, packedWant, 5, m, n, k, false);
            separate(packedWant, 5, m, n, bias, 3, act);
            MatMulPacked.matmul(a, 0, ta, bp, 0, packed, 5, m, n, k, false, bias, 3, act);
            assertArrayEquals(packedWant, packed, "packed " + what);
        }
        float[] scalar = new float[m * n + 5];
        MatMulScalar.matmul(a, 0, ta, b, 0, tb, scalar, 5, m, n, k, false, bias, 3, act);
        float[] scalarWant = new float[m * n + 5];
        MatMulScalar.matmul(a, 0, ta, b, 0, tb, scalarWant, 5, m, n, k, false);
        separate(scalarWant, 5, m, n, bias, 3, act);
        assertArrayEquals(scalarWant, scalar, "scalar " + what);
    }

    /** The separate pass, as the generated fused kernel computes it: bias + x, then where(x > 0, x, 0). */
    private static void separate(float[] c, int off, int m, int n, float[] bias, int biasOff, int act) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                float v = c[off + i * n + j];
                if (bias != null) v = bias[biasOff + j] + v;
                if (act == MatMulEpilogue.RELU) v = v > 0 ? v : 0f;
                c[off + i * n + j] = v;
            }
    }

    private static float[] rnd(SplittableRandom r, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }
}
