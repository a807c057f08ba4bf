package dev.ingot.runtime.kernels;

import static dev.ingot.runtime.kernels.MatMulKernels.ENABLED;
import static dev.ingot.runtime.kernels.MatMulKernels.KC;
import static dev.ingot.runtime.kernels.MatMulKernels.L;
import static dev.ingot.runtime.kernels.MatMulKernels.MR;
import static dev.ingot.runtime.kernels.MatMulKernels.NR;

import dev.ingot.runtime.exec.Parallel;

/**
 * Matrix products with a pre-packed right operand: {@code C (+)= op(A) @ B} where B was packed once
 * by {@link #pack} into the panel layout the kernels read. A recurrent layer multiplies by the same
 * weights at every time step; packing them once per training step (instead of once per time step,
 * and a transposing pack at that) removes most of the non-arithmetic work of the loop.
 *
 * <p>Layout: the same blocks {@link MatMul#gemm} packs on the fly, stored one after another: for
 * each N block of {@link MatMul#NC} columns, for each K block ({@link MatMul#kBlock}), panels of
 * {@code NR} columns (the last 1..4 vectors wide), each {@code kc} rows of its width, zero-padded.
 * Block (jc, pc) starts at {@code k * jc + pc * roundUp(nc, L)}. With the scalar path
 * ({@code ingot.vector=false}) the "packed" form is simply op(B), row-major.
 */
public final class MatMulPacked {
    private MatMulPacked() {}

    /** Floats needed to pack a [k, n] operand. */
    public static int size(int k, int n) {
        if (!ENABLED) return k * n;
        long total = 0;
        for (int jc = 0; jc < n; jc += MatMul.NC) total += (long) k * MatMul.roundUp(Math.min(MatMul.NC, n - jc), L);
        return Math.toIntExact(total);
    }

    /** Packs op(B) ([k, n]; B stored [n, k] when transposed) into {@code dst} at {@code dstOff}. */
    public static void pack(float[] b, int bOff, boolean transB, int k, int n, float[] dst, int dstOff) {
        if (!ENABLED) {
            for (int kk = 0; kk < k; kk++)
                for (int j = 0; j < n; j++) dst[dstOff + kk * n + j] = transB ? b[bOff + j * k + kk] : b[bOff + kk * n + j];
            return;
        }
        MatMul.Scratch s = SCRATCH.get();
        int kStep = MatMul.kBlock(k);
        for (int jc = 0; jc < n; jc += MatMul.NC) {
            int nc = Math.min(MatMul.NC, n - jc), ncPad = MatMul.roundUp(nc, L);
            float[] bp = s.bBuffer(KC * ncPad);
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc);
                MatMulPack.packB(s, b, bOff, transB, n, k, jc, nc, pc, kc, bp);
                System.arraycopy(bp, 0, dst, dstOff + k * jc + pc * ncPad, kc * ncPad);
            }
        }
    }

    /** C[m, n] (+)= op(A)[m, k] @ B[k, n] with B packed by {@link #pack}. Parallel over column panels. */
    public static void matmul(float[] a, int aOff, boolean transA, float[] bp, int bpOff,
                              float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        matmul(a, aOff, transA, bp, bpOff, c, cOff, m, n, k, accumulate, null, 0, Epilogue.NONE);
    }

    /** {@link #matmul} with an epilogue {@code C = act(C + bias)}, as {@link MatMul#matmul(float[], int, boolean, float[], int, boolean, float[], int, int, int, int, boolean, float[], int, int)}. */
    public static void matmul(float[] a, int aOff, boolean transA, float[] bp, int bpOff,
                              float[] c, int cOff, int m, int n, int k, boolean accumulate,
                              float[] bias, int biasOff, int act) {
        if (m == 0 || n == 0) return;
        if (!ENABLED) {
            MatMulScalar.matmul(a, aOff, transA, bp, bpOff, false, c, cOff, m, n, k, accumulate, bias, biasOff, act);
            return;
        }
        if (k == 0) {
            if (!accumulate) java.util.Arrays.fill(c, cOff, cOff + m * n, 0f);
            Epilogue.apply(c, cOff, n, 0, m, 0, n, bias, biasOff, act);
            return;
        }
        Parallel pool = Parallel.get();
        int panels = MatMul.ceilDiv(n, NR);
        if (pool.threads() == 1 || (long) m * n * k < MatMul.INLINE_MACS || panels < 2 || n <= 2 * L) {
            run(SCRATCH.get(), a, aOff, transA, bp, bpOff, c, cOff, m, n, k, accumulate, 0, n);
            Epilogue.apply(c, cOff, n, 0, m, 0, n, bias, biasOff, act);
            return;
        }
        Job job = JOB.get();
        job.set(a, aOff, transA, bp, bpOff, c, cOff, m, n, k, accumulate);
        job.bias = bias;
        job.biasOff = biasOff;
        job.act = act;
        pool.forRange(panels, 1, job);
        job.clear();
    }

    /** {@link #matmulRows} with an epilogue {@code C = act(C + bias)} on the same rows (see {@link Epilogue}). */
    public static void matmulRows(float[] a, int aOff, float[] bp, int bpOff, float[] c, int cOff, int lo, int hi, int n, int k, boolean accumulate,
                                  float[] bias, int biasOff, int act) {
        matmulRows(a, aOff, bp, bpOff, c, cOff, lo, hi, n, k, accumulate);
        if (lo < hi) {
            Epilogue.apply(c, cOff, n, lo, hi, 0, n, bias, biasOff, act);
        }
    }

    /**
     * Rows [lo, hi) of {@code C[m, n] (+)= A[m, k] @ B[k, n]} (A not transposed, B packed by {@link #pack}), on the
     * calling thread: a part of a row-parallel region (a recurrent step's product and its gates, one fork-join per
     * step). Each element is computed as by {@link #matmul}.
     */
    public static void matmulRows(float[] a, int aOff, float[] bp, int bpOff, float[] c, int cOff, int lo, int hi, int n, int k, boolean accumulate) {
        if (lo >= hi || n == 0) return;
        if (!ENABLED) {
            MatMulScalar.matmul(a, aOff + lo * k, false, bp, bpOff, false, c, cOff + lo * n, hi - lo, n, k, accumulate, null, 0, Epilogue.NONE);
            return;
        }
        if (k == 0) {
            if (!accumulate) java.util.Arrays.fill(c, cOff + lo * n, cOff + hi * n, 0f);
            return;
        }
        run(SCRATCH.get(), a, aOff + lo * k, false, bp, bpOff, c, cOff + lo * n, hi - lo, n, k, accumulate, 0, n);
    }

    /** Columns [j0, j1) (j0 a multiple of NR, or 0) on the calling thread. */
    static void run(MatMul.Scratch s, float[] a, int aOff, boolean transA, float[] bp, int bpOff,
                    float[] c, int cOff, int m, int n, int k, boolean accumulate, int j0, int j1) {
        float[] tile = s.tile;
        int kStep = MatMul.kBlock(k);
        if (n <= 2 * L) {
            // narrow: one panel; A read in place (see MatMul.gemmNarrow)
            int nv = (n + L - 1) / L, ars = transA ? 1 : k, aks = transA ? m : 1;
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc), b0 = bpOff + pc * nv * L;
                boolean beta = accumulate || pc > 0;
                for (int r = 0; r < m; r += MR) {
                    int rows = Math.min(MR, m - r), a0 = aOff + r * ars + pc * aks;
                    if (nv == 1) MatMulKernels.kernelDirect1(a, a0, ars, aks, bp, b0, kc, c, cOff + r * n, n, beta, rows, n, tile);
                    else MatMulKernels.kernelDirect2(a, a0, ars, aks, bp, b0, kc, c, cOff + r * n, n, beta, rows, n, tile);
                }
            }
            return;
        }
        for (int jc = (j0 / MatMul.NC) * MatMul.NC; jc < j1; jc += MatMul.NC) {
            int nc = Math.min(MatMul.NC, n - jc), ncPad = MatMul.roundUp(nc, L);
            int lo = Math.max(j0, jc) - jc, hi = Math.min(j1, jc + nc) - jc;
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc);
                int block = bpOff + k * jc + pc * ncPad;
                boolean beta = accumulate || pc > 0;
                for (int ic = 0; ic < m; ic += MatMul.MC) {
                    int mc = Math.min(MatMul.MC, m - ic);
                    float[] ap = s.aBuffer(MatMul.roundUp(mc, MR) * KC);
                    MatMulPack.packA(s, a, aOff, transA, m, k, ic, mc, pc, kc, ap);
                    for (int p = lo; p < hi; p += NR) {
                        int w = Math.min(NR, nc - p), nv = (w + L - 1) / L;
                        for (int r = 0; r < mc; r += MR)
                            MatMulKernels.kernel(nv, ap, r * KC, bp, block + kc * p, kc, c, cOff + jc + p + (ic + r) * n, n, beta,
                                    Math.min(MR, mc - r), w, tile);
                    }
                }
            }
        }
    }

    private static final ThreadLocal<MatMul.Scratch> SCRATCH = ThreadLocal.withInitial(MatMul.Scratch::new);
    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);

    /** One call's parameters as a reusable task over column panels (no allocation per call). */
    private static final class Job implements Parallel.RangeTask {
        float[] a, bp, c, bias;
        int aOff, bpOff, cOff, m, n, k, biasOff, act;
        boolean transA, accumulate;

        void set(float[] a, int aOff, boolean transA, float[] bp, int bpOff, float[] c, int cOff, int m, int n, int k, boolean acc) {
            this.a = a;
            this.aOff = aOff;
            this.transA = transA;
            this.bp = bp;
            this.bpOff = bpOff;
            this.c = c;
            this.cOff = cOff;
            this.m = m;
            this.n = n;
            this.k = k;
            this.accumulate = acc;
        }

        void clear() {
            a = bp = c = bias = null;
        }

        @Override
        public void run(int lo, int hi) {
            MatMulPacked.run(SCRATCH.get(), a, aOff, transA, bp, bpOff, c, cOff, m, n, k, accumulate, lo * NR, Math.min(n, hi * NR));
            Epilogue.apply(c, cOff, n, 0, m, lo * NR, Math.min(n, hi * NR), bias, biasOff, act);
        }
    }
}
