package dev.ingot.runtime.kernels;

import static dev.ingot.runtime.kernels.MatMulKernels.ENABLED;
import static dev.ingot.runtime.kernels.MatMulKernels.KC;
import static dev.ingot.runtime.kernels.MatMulKernels.L;
import static dev.ingot.runtime.kernels.MatMulKernels.MR;
import static dev.ingot.runtime.kernels.MatMulKernels.NR;

import dev.ingot.runtime.exec.Parallel;
import jdk.incubator.vector.FloatVector;

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
                MatMulPack.packB(s, b, bOff, transB, n, k, jc, nc, pc, kc, bp, Aligned.PAD);
                System.arraycopy(bp, Aligned.PAD, dst, dstOff + k * jc + pc * ncPad, kc * ncPad);
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
                int from = lo;
                if (m == 1 && NR == 4 * L) from = row(a, aOff + pc, bp, block, kc, c, cOff + jc, lo, hi, nc, beta);
                if (from >= hi) continue;
                for (int ic = 0; ic < m; ic += MatMul.MC) {
                    int mc = Math.min(MatMul.MC, m - ic);
                    float[] ap = s.aBuffer(MatMul.roundUp(mc, MR) * KC);
                    MatMulPack.packA(s, a, aOff, transA, m, k, ic, mc, pc, kc, ap);
                    for (int p = from; p < hi; p += NR) {
                        int w = Math.min(NR, nc - p), nv = (w + L - 1) / L;
                        for (int r = 0; r < mc; r += MR)
                            MatMulKernels.kernel(nv, ap, r * KC, bp, block + kc * p, kc, c, cOff + jc + p + (ic + r) * n, n, beta,
                                    Math.min(MR, mc - r), w, tile);
                    }
                }
            }
        }
    }

    /**
     * One row of A (a batch-1 recurrent step, {@code h @ W}): panels {@code [lo, hi)} of one K block, two full panels
     * at a time (eight independent FMA chains, one row; the 6-row kernel computed a second, unused row) with A read in
     * place, no packing; what is left of the range goes through the packed kernels. Each column is the same chain of
     * FMAs over the block as {@link MatMulKernels#kernel}'s, added to C the same way: the same bits. The step is bound by reading the packed weight (1 MB for an LSTM of 256) from
     * L2: 15 -> 11 us per product on a Xeon (1 x 256 x 1024).
     */
    private static int row(float[] a, int a0, float[] bp, int block, int kc, float[] c, int c0, int lo, int hi, int nc, boolean beta) {
        int p = lo;
        for (; p + 2 * NR <= hi && p + 2 * NR <= nc; p += 2 * NR) rowTwoPanels(a, a0, bp, block + kc * p, block + kc * (p + NR), kc, c, c0 + p, beta);
        return p;   // the panels left (fewer than two full ones) go through the packed kernels
    }

    private static void rowTwoPanels(float[] a, int a0, float[] bp, int p0, int p1, int kc, float[] c, int c0, boolean beta) {
        FloatVector z = FloatVector.zero(MatMulKernels.F);
        FloatVector s0 = z, s1 = z, s2 = z, s3 = z, t0 = z, t1 = z, t2 = z, t3 = z;
        for (int kk = 0; kk < kc; kk++) {
            FloatVector x = FloatVector.broadcast(MatMulKernels.F, a[a0 + kk]);
            int i = p0 + kk * NR, j = p1 + kk * NR;
            s0 = FloatVector.fromArray(MatMulKernels.F, bp, i).fma(x, s0);
            s1 = FloatVector.fromArray(MatMulKernels.F, bp, i + L).fma(x, s1);
            s2 = FloatVector.fromArray(MatMulKernels.F, bp, i + 2 * L).fma(x, s2);
            s3 = FloatVector.fromArray(MatMulKernels.F, bp, i + 3 * L).fma(x, s3);
            t0 = FloatVector.fromArray(MatMulKernels.F, bp, j).fma(x, t0);
            t1 = FloatVector.fromArray(MatMulKernels.F, bp, j + L).fma(x, t1);
            t2 = FloatVector.fromArray(MatMulKernels.F, bp, j + 2 * L).fma(x, t2);
            t3 = FloatVector.fromArray(MatMulKernels.F, bp, j + 3 * L).fma(x, t3);
        }
        if (beta) {
            s0 = s0.add(FloatVector.fromArray(MatMulKernels.F, c, c0));
            s1 = s1.add(FloatVector.fromArray(MatMulKernels.F, c, c0 + L));
            s2 = s2.add(FloatVector.fromArray(MatMulKernels.F, c, c0 + 2 * L));
            s3 = s3.add(FloatVector.fromArray(MatMulKernels.F, c, c0 + 3 * L));
            t0 = t0.add(FloatVector.fromArray(MatMulKernels.F, c, c0 + NR));
            t1 = t1.add(FloatVector.fromArray(MatMulKernels.F, c, c0 + NR + L));
            t2 = t2.add(FloatVector.fromArray(MatMulKernels.F, c, c0 + NR + 2 * L));
            t3 = t3.add(FloatVector.fromArray(MatMulKernels.F, c, c0 + NR + 3 * L));
        }
        s0.intoArray(c, c0);
        s1.intoArray(c, c0 + L);
        s2.intoArray(c, c0 + 2 * L);
        s3.intoArray(c, c0 + 3 * L);
        t0.intoArray(c, c0 + NR);
        t1.intoArray(c, c0 + NR + L);
        t2.intoArray(c, c0 + NR + 2 * L);
        t3.intoArray(c, c0 + NR + 3 * L);
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
