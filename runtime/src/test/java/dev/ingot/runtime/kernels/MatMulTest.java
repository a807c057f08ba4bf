package dev.ingot.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ingot.runtime.exec.Parallel;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MatMulTest {

    /** {m, n, k}: ones, odd sizes, primes, tails of the 6-row and 64-column blocks, K/M/N block boundaries. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 1, 7}, {1, 17, 3}, {2, 3, 5}, {1, 5, 17}, {5, 7, 11}, {3, 100, 50}, {4, 33, 300},
        {1, 256, 97}, {1, 70, 20}, {6, 16, 1}, {6, 64, 128}, {7, 65, 129}, {12, 10, 128}, {13, 31, 37},
        {31, 97, 61}, {64, 64, 64}, {67, 129, 131}, {128, 10, 128}, {11, 1030, 17}, {390, 20, 5},
        {97, 200, 257}, {13, 9, 2100}, {6, 33, 1024},
        // last row block of 2, 3 and 4 rows on full-width panels (the short-row kernels)
        {32, 200, 40}, {33, 130, 45}, {10, 64, 20}, {8, 70, 300},
    };

    /** op(A) and op(B) as logical [m,k] / [k,n] row-major doubles, plus their stored float layouts. */
    private static final class Problem {
        final int m, n, k;
        final boolean transA, transB;
        final double[] opA, opB;
        final float[] a, b;
        final int aOff, bOff;

        Problem(int m, int n, int k, boolean transA, boolean transB, long seed, int aOff, int bOff) {
            this.m = m;
            this.n = n;
            this.k = k;
            this.transA = transA;
            this.transB = transB;
            this.aOff = aOff;
            this.bOff = bOff;
            SplittableRandom rnd = new SplittableRandom(seed);
            opA = new double[m * k];
            opB = new double[k * n];
            a = new float[aOff + m * k + 3];
            b = new float[bOff + k * n + 3];
            Arrays.fill(a, Float.NaN); // padding around the operand must never be read
            Arrays.fill(b, Float.NaN);
            for (int i = 0; i < m; i++) {
                for (int kk = 0; kk < k; kk++) {
                    float v = (float) (rnd.nextDouble() * 2 - 1);
                    opA[i * k + kk] = v;
                    a[aOff + (transA ? kk * m + i : i * k + kk)] = v;
                }
            }
            for (int kk = 0; kk < k; kk++) {
                for (int j = 0; j < n; j++) {
                    float v = (float) (rnd.nextDouble() * 2 - 1);
                    opB[kk * n + j] = v;
                    b[bOff + (transB ? j * k + kk : kk * n + j)] = v;
                }
            }
        }

        double[] product() {
            double[] r = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int kk = 0; kk < k; kk++) {
                    double x = opA[i * k + kk];
                    for (int j = 0; j < n; j++) {
                        r[i * n + j] += x * opB[kk * n + j];
                    }
                }
            }
            return r;
        }
    }

    @FunctionalInterface
    private interface Impl {
        void run(float[] a, int aOff, boolean transA, float[] b, int bOff, boolean transB,
                 float[] c, int cOff, int m, int n, int k, boolean accumulate);
    }

    @AfterAll
    static void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** Runs impl with and without accumulate (C at an offset, guarded by sentinels) and compares to the product. */
    private static void check(Impl impl, Problem p, double[] expected, String what) {
        int cOff = 5;
        SplittableRandom rnd = new SplittableRandom(p.m * 31L + p.n);
        for (boolean acc : new boolean[] {false, true}) {
            float[] c = new float[cOff + p.m * p.n + 4];
            Arrays.fill(c, 12345f);
            float[] c0 = new float[p.m * p.n];
            for (int i = 0; i < c0.length; i++) {
                c0[i] = acc ? (float) (rnd.nextDouble() * 2 - 1) : Float.NaN; // overwrite must ignore old C
                c[cOff + i] = c0[i];
            }
            impl.run(p.a, p.aOff, p.transA, p.b, p.bOff, p.transB, c, cOff, p.m, p.n, p.k, acc);
            double tol = 1e-5 * Math.sqrt(Math.max(1, p.k));
            for (int i = 0; i < p.m * p.n; i++) {
                double want = expected[i] + (acc ? c0[i] : 0);
                double got = c[cOff + i];
                if (!(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)))) {
                    fail(String.format("%s m=%d n=%d k=%d tA=%b tB=%b acc=%b: C[%d,%d] = %s, want %s", what, p.m,
                            p.n, p.k, p.transA, p.transB, acc, i / p.n, i % p.n, got, want));
                }
            }
            for (int i = 0; i < cOff; i++) {
                assertEquals(12345f, c[i], "wrote before C");
            }
            for (int i = cOff + p.m * p.n; i < c.length; i++) {
                assertEquals(12345f, c[i], "wrote after C");
            }
        }
    }

    private static void checkAllShapes(Impl impl, String what, int[][] shapes) {
        long seed = 1;
        for (int[] s : shapes) {
            for (int combo = 0; combo < 4; combo++) {
                Problem p = new Problem(s[0], s[1], s[2], (combo & 1) != 0, (combo & 2) != 0, seed++, 3, 7);
                check(impl, p, p.product(), what);
            }
        }
    }

    @Test
    void vectorPathMatchesReferenceOneThread() {
        Parallel.setThreads(1);
        checkAllShapes(MatMul::matmul, "matmul/1t", SHAPES);
    }

    @Test
    void vectorPathMatchesReferenceTwoThreads() {
        Parallel.setThreads(2);
        checkAllShapes(MatMul::matmul, "matmul/2t", SHAPES);
    }

    @Test
    void threeThreadsSplitUnevenly() {
        Parallel.setThreads(3);
        checkAllShapes(MatMul::matmul, "matmul/3t", new int[][] {{67, 129, 131}, {1, 300, 40}, {25, 200, 9}});
    }

    @Test
    void scalarPathMatchesReference() {
        checkAllShapes(MatMulScalar::matmul, "scalar", SHAPES);
    }

    @Test
    void trainingShapesMatchReference() {
        Parallel.setThreads(2);
        // {m, n, k, combo}: combo bit 0 = transA, bit 1 = transB (forward nn, weight gradient tn, data gradient nt)
        int[][] cases = {{128, 256, 784, 0}, {128, 256, 784, 3}, {784, 256, 128, 1}, {128, 784, 256, 2},
            {64, 128, 9216, 0}, {64, 128, 9216, 2}, {32, 1024, 256, 2}};
        long seed = 100;
        for (int[] s : cases) {
            Problem p = new Problem(s[0], s[1], s[2], (s[3] & 1) != 0, (s[3] & 2) != 0, seed++, 0, 0);
            check(MatMul::matmul, p, p.product(), "training");
        }
    }

    @Test
    void kZeroClearsOrKeepsC() {
        for (int t : new int[] {1, 2}) {
            Parallel.setThreads(t);
            float[] c = {1, 2, 3, 4, 5, 6, 7};
            MatMul.matmul(new float[0], 0, false, new float[0], 0, false, c, 1, 2, 3, 0, true);
            assertEquals(Arrays.toString(new float[] {1, 2, 3, 4, 5, 6, 7}), Arrays.toString(c));
            MatMul.matmul(new float[0], 0, false, new float[0], 0, true, c, 1, 2, 3, 0, false);
            assertEquals(Arrays.toString(new float[] {1, 0, 0, 0, 0, 0, 0}), Arrays.toString(c));
            float[] d = {9, 9};
            MatMulScalar.matmul(new float[0], 0, false, new float[0], 0, false, d, 0, 1, 2, 0, false);
            assertEquals(Arrays.toString(new float[] {0, 0}), Arrays.toString(d));
        }
    }

    @Test
    void emptyDimensionsDoNothing() {
        float[] c = {3};
        MatMul.matmul(new float[0], 0, false, new float[20], 0, false, c, 0, 0, 5, 4, false);
        MatMul.matmul(new float[4], 0, false, new float[0], 0, false, c, 0, 1, 0, 4, false);
        assertEquals(3f, c[0]);
    }

    @Test
    void rejectsBadArguments() {
        float[] x = new float[6];
        assertThrows(IllegalArgumentException.class, () -> MatMul.matmul(x, 0, false, x, 0, false, x, 0, -1, 2, 3, false));
        assertThrows(IndexOutOfBoundsException.class, () -> MatMul.matmul(x, 1, false, x, 0, false, x, 0, 2, 3, 3, false));
        assertThrows(IndexOutOfBoundsException.class, () -> MatMul.matmul(x, 0, false, x, 0, false, x, 1, 2, 3, 3, false));
        assertThrows(IndexOutOfBoundsException.class, () -> MatMul.matmul(x, -1, false, x, 0, false, x, 0, 1, 1, 1, false));
        assertThrows(IllegalArgumentException.class, () -> MatMul.batchedMatmul(2, x, 0, -1, false, x, 0, 0, false, x, 0, 0, 1, 1, 1, false));
        assertThrows(IndexOutOfBoundsException.class, () -> MatMul.batchedMatmul(3, x, 0, 3, false, x, 0, 0, false, x, 0, 0, 1, 1, 1, false));
    }

    @Test
    void batchedMatchesPerItemReference() {
        int[][] shapes = {{7, 9, 5}, {1, 40, 33}, {32, 32, 16}, {6, 64, 64}};
        for (int t : new int[] {1, 2}) {
            Parallel.setThreads(t);
            for (int[] s : shapes) {
                for (int batch : new int[] {1, 2, 3, 8}) {
                    for (int combo = 0; combo < 4; combo++) {
                        checkBatched(batch, s[0], s[1], s[2], (combo & 1) != 0, (combo & 2) != 0, (combo & 1) == 0);
                    }
                }
            }
        }
    }

    private static void checkBatched(int batch, int m, int n, int k, boolean tA, boolean tB, boolean acc) {
        Problem[] ps = new Problem[batch];
        int aStride = m * k + 2, bStride = k * n + 1, cStride = m * n + 3;
        int aOff = 1, bOff = 2, cOff = 3;
        float[] a = new float[aOff + batch * aStride];
        float[] b = new float[bOff + batch * bStride];
        float[] c = new float[cOff + batch * cStride];
        Arrays.fill(c, 77f);
        for (int i = 0; i < batch; i++) {
            ps[i] = new Problem(m, n, k, tA, tB, 1000 + i, 0, 0);
            System.arraycopy(ps[i].a, 0, a, aOff + i * aStride, m * k);
            System.arraycopy(ps[i].b, 0, b, bOff + i * bStride, k * n);
        }
        MatMul.batchedMatmul(batch, a, aOff, aStride, tA, b, bOff, bStride, tB, c, cOff, cStride, m, n, k, acc);
        for (int i = 0; i < batch; i++) {
            double[] want = ps[i].product();
            for (int x = 0; x < m * n; x++) {
                double w = want[x] + (acc ? 77f : 0);
                float got = c[cOff + i * cStride + x];
                assertTrue(Math.abs(got - w) <= 1e-5 * Math.sqrt(k) * Math.max(1, Math.abs(w)),
                        "batch item " + i + " element " + x + ": " + got + " vs " + w);
            }
            for (int x = m * n; x < cStride && cOff + i * cStride + x < c.length; x++) {
                assertEquals(77f, c[cOff + i * cStride + x], "wrote between batch items");
            }
        }
    }

    @Test
    void scalarAndVectorAgreeClosely() {
        Parallel.setThreads(2);
        Problem p = new Problem(50, 70, 90, true, false, 5, 0, 0);
        float[] c1 = new float[50 * 70];
        float[] c2 = new float[50 * 70];
        MatMul.matmul(p.a, 0, true, p.b, 0, false, c1, 0, 50, 70, 90, false);
        MatMulScalar.matmul(p.a, 0, true, p.b, 0, false, c2, 0, 50, 70, 90, false);
        for (int i = 0; i < c1.length; i++) {
            assertEquals(c2[i], c1[i], 1e-4);
        }
    }

    @Test
    void noAllocationAfterWarmUp() {
        Parallel.setThreads(2);
        int[][] shapes = {{64, 64, 64}, {3, 200, 64}, {128, 10, 128}};
        Problem[] ps = new Problem[shapes.length];
        float[][] cs = new float[shapes.length][];
        for (int i = 0; i < shapes.length; i++) {
            ps[i] = new Problem(shapes[i][0], shapes[i][1], shapes[i][2], i == 1, i == 2, i, 0, 0);
            cs[i] = new float[shapes[i][0] * shapes[i][1]];
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated = Long.MAX_VALUE;
        // NOTE: vectors are only scalar-replaced once C2 has compiled the kernels; give it a few rounds.
        for (int round = 0; round < 40 && allocated > 0; round++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int rep = 0; rep < 50; rep++) {
                for (int i = 0; i < ps.length; i++) {
                    Problem p = ps[i];
                    MatMul.matmul(p.a, 0, p.transA, p.b, 0, p.transB, cs[i], 0, p.m, p.n, p.k, false);
                }
            }
            allocated = mx.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, allocated, "bytes allocated by 150 matmul calls after warm-up");
    }

    /**
     * The species and the vector switch are static finals, so the other configurations run in child JVMs: 256-bit
     * vectors (the 2-vector panels used on AVX2 machines), {@code ingot.vector=false} through the public API, and the
     * transposing packs with and without the in-register 16x16 transpose (on by default from JDK 25 only).
     */
    @Test
    @Timeout(120)
    void otherConfigurationsInChildJvms() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        // the transposing packs' other path: the in-register transpose where it is off by default, and vice versa
        String otherTranspose = "-Dingot.matmul.vectorTranspose=" + !MatMulTranspose.ENABLED;
        for (String flag : new String[] {"-Dingot.vector.bits=256", "-Dingot.vector=false", otherTranspose}) {
            ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", flag,
                    "-cp", System.getProperty("java.class.path"), SelfCheck.class.getName());
            pb.redirectErrorStream(true);
            Process proc = pb.start();
            String out = new String(proc.getInputStream().readAllBytes());
            assertEquals(0, proc.waitFor(), flag + " child JVM failed:\n" + out);
            assertTrue(out.contains("SELF-CHECK OK"), out);
        }
    }

    /** Entry point of the child JVMs: all shapes and transpose combinations at 1 and 2 threads. */
    public static final class SelfCheck {
        public static void main(String[] args) {
            int[][] shapes = {{1, 1, 1}, {5, 7, 11}, {1, 70, 20}, {7, 65, 129}, {12, 10, 128}, {31, 97, 61},
                {67, 129, 131}, {11, 1030, 17}};
            for (int t : new int[] {1, 2}) {
                Parallel.setThreads(t);
                checkAllShapes(MatMul::matmul, "child/" + t + "t", shapes);
            }
            System.out.println("SELF-CHECK OK lanes=" + MatMul.vectorLanes());
        }
    }

    @Test
    void reportsVectorLanes() {
        assertTrue(MatMul.vectorLanes() >= 1);
    }
}
