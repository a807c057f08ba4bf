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
class EpilogueTest {
    @AfterEach
    void restore() { Parallel.setThreads(Runtime.getRuntime().availableProcessors()); }

    /** m, n, k: small M, one column panel, narrow N, row blocks, column panels, a long K (dot products), several K blocks (wide and narrow). */
    static final int[][] SHAPES = {{3, 70, 20}, {32, 64, 33}, {17, 10, 40}, {600, 96, 50}, {40, 700, 64}, {8, 50, 3000}, {1, 1, 1}, {50, 100, 300}, {20, 30, 260}};

    @Test
    void everySplitGivesTheSeparatePassBits() {
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (int[] s : SHAPES)
                for (boolean ta : new boolean[] {false, true})
                    for (boolean tb : new boolean[] {false, true})
                        for (int act : new int[] {Epilogue.NONE, Epilogue.RELU})
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

    /** Convolutions: every algorithm, fewer and more images than threads, groups, one thread or several. */
    @Test
    void convolutionEpilogueGivesTheSeparatePassBits() {
        Conv2dShape[] shapes = {new Conv2dShape(3, 12, 11, 8, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1),
                new Conv2dShape(4, 9, 9, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2), new Conv2dShape(5, 7, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1)};
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (Conv2dShape s : shapes)
                for (Conv2dAlgo algo : Conv2dAlgo.values()) {
                    if (algo == Conv2dAlgo.DIRECT && !Conv2d.supportsDirect(s)) continue;
                    for (int batch : new int[] {1, 5})
                        for (int act : new int[] {Epilogue.NONE, Epilogue.RELU})
                            for (boolean withBias : new boolean[] {false, true}) {
                                SplittableRandom r = new SplittableRandom(batch * 13L + s.oc());
                                float[] x = rnd(r, s.inSize() * batch), w = rnd(r, s.weightSize()), bias = withBias ? rnd(r, s.oc() + 2) : null;
                                float[] want = new float[s.outSize() * batch], got = new float[s.outSize() * batch];
                                Conv2d.forward(x, 0, w, 0, want, 0, s, batch, algo);
                                int plane = s.oh() * s.ow();
                                for (int img = 0; img < batch; img++)
                                    for (int o = 0; o < s.oc(); o++)
                                        for (int p = 0; p < plane; p++) {
                                            int at = (img * s.oc() + o) * plane + p;
                                            float v = want[at];
                                            if (bias != null) v = bias[2 + o] + v;
                                            if (act == Epilogue.RELU) v = v > 0 ? v : 0f;
                                            want[at] = v;
                                        }
                                Conv2d.forward(x, 0, w, 0, got, 0, s, batch, algo, bias, 2, act);
                                assertArrayEquals(want, got, s + " " + algo + " batch=" + batch + " act=" + act + " bias=" + withBias + " threads=" + threads);
                            }
                }
        }
    }

    /** The separate pass, as the generated fused kernel computes it: bias + x, then where(x > 0, x, 0). */
    private static void separate(float[] c, int off, int m, int n, float[] bias, int biasOff, int act) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                float v = c[off + i * n + j];
                if (bias != null) v = bias[biasOff + j] + v;
                if (act == Epilogue.RELU) v = v > 0 ? v : 0f;
                c[off + i * n + j] = v;
            }
    }

    /**
     * Multiples of 1/8 in [-1, 1]: every product and sum of up to 3,000 of them is exact in float, so the
     * comparison does not depend on the summation order, which may differ between JIT tiers (on JDK 25 a
     * vector's lane sum is ordered differently in C2 and in the interpreter); it tests the epilogue, not that.
     */
    private static float[] rnd(SplittableRandom r, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (r.nextInt(17) - 8) / 8f;
        return x;
    }
}
