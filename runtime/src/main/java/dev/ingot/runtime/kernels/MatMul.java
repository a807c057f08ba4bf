package dev.ingot.runtime.kernels;

import static dev.ingot.runtime.kernels.MatMulKernels.ENABLED;
import static dev.ingot.runtime.kernels.MatMulKernels.KC;
import static dev.ingot.runtime.kernels.MatMulKernels.L;
import static dev.ingot.runtime.kernels.MatMulKernels.MR;
import static dev.ingot.runtime.kernels.MatMulKernels.NR;

import dev.ingot.runtime.exec.Parallel;
import java.util.Arrays;

/**
 * Single-precision matrix multiply (SGEMM) for row-major float arrays, vectorized with the JDK Vector API and
 * parallel over the runtime's {@link Parallel} pool.
 *
 * <h2>Algorithm (the GotoBLAS / BLIS loop nest)</h2>
 * <pre>
 * for jc over N in blocks of NC (1024):                      B block: KC x NC, ~512 KB, in L2
 *   for pc over K in blocks of KC (128):
 *     pack op(B)[pc:pc+kc, jc:jc+nc] into panels of NR = 4 vectors (64 floats) wide, zero-padded
 *     for ic over M in blocks of MC (384):                   A block: MC x KC, ~192 KB, in L2
 *       pack op(A)[ic:ic+mc, pc:pc+kc] into blocks of MR = 6 rows (row stride KC), zero-padded
 *       for each B panel (KC x 64 floats = 32 KB, stays in L1):
 *         for each 6-row A block: 6 x 64 micro-kernel ({@link MatMulKernels#kernel4}), C tile += A block * panel
 * </pre>
 * The first K block overwrites C unless {@code accumulate}; later blocks add to it, so C is never cleared
 * separately. Packing makes every transpose combination feed the same kernels: a transposed operand is transposed
 * while it is packed. The last B panel of a row of panels may be 1..4 vectors wide (so n = 10 costs one 16-wide
 * kernel, not a 64-wide one); edge tiles are stored through a scratch tile.
 *
 * <p>M &lt; 6 (e.g. batch-1 inference) skips packing: a row of C is computed against B in place
 * ({@link MatMulKernels#row4}) or, for transposed B, as dot products along k ({@link MatMulKernels#dot4}).
 * N &lt;= 2 vectors (e.g. 10 logits) packs only B and reads A in place ({@link #gemmNarrow}).
 *
 * <p>Measured on the 2-core AVX-512 Xeon this was written on (one core, JDK 25, best of repeated runs): 125-145
 * GFLOP/s for 256^3, 128x784x256 and 784x128x256 (transA); about 30 for N = 10 and M = 1. The transposing packs
 * (transA, transB) go through 16x16 tiles ({@link MatMulPack#transposeTile}, in registers with
 * {@link MatMulTranspose} on JDK 25+): on the AMD EPYC (Zen 5) machine, per CPU-second under load, that took
 * 128x256x784 A@B^T from 115-128 to 148-151 GFLOP/s and 1024x2048x256 A^T@B from 122-142 to 146-153. See
 * benchmarks/README.md (kernels.sh) for the table against libtorch.
 *
 * <h2>Threads</h2>
 * The pool's {@link Parallel#threads()} decides. C is split either by B panels (columns; every thread packs all of
 * A) or by 6-row blocks (rows; every thread packs all of B), whichever the cost model {@link #splitByRows} predicts
 * to finish first, counting load imbalance and the duplicated packing. GEMMs under {@value #INLINE_MACS}
 * multiply-adds run on the calling thread. A batched call splits over the batch when that balances.
 *
 * <h2>Memory</h2>
 * Allocation-free after warm-up: packing buffers live in a per-thread {@link Scratch} that grows on demand, and the
 * task handed to the pool is a per-calling-thread mutable {@link Job}, not a capturing lambda.
 *
 * <p>{@code ingot.vector=false} (or a machine with less than 8 float lanes) selects {@link MatMulScalar}.
 */
public final class MatMul {
    private MatMul() {
    }

    /** M block (a multiple of MR). */
    static final int MC = roundUp(Math.max(MR, Integer.getInteger("ingot.matmul.mc", 384)), MR);
    /** N block (a multiple of NR). */
    static final int NC = roundUp(Math.max(NR, Integer.getInteger("ingot.matmul.nc", 1024)), NR);
    /** Below this many multiply-adds a GEMM runs on the calling thread. */
    static final long INLINE_MACS = 1L << 16;
    /** Cost of packing one float, in units of one multiply-add lane (for the split heuristic only). */
    private static final long PACK_COST = 16;

    private static final ThreadLocal<Ctx> CTX = ThreadLocal.withInitial(Ctx::new);

    /**
     * C[m,n] (+)= op(A)[m,k] @ op(B)[k,n], row-major. op(A) = A ([m,k], row stride k) or, if transA, A is stored
     * [k,m] (row stride m). op(B) = B ([k,n]) or, if transB, B stored [n,k]. accumulate=false overwrites C (k = 0
     * then clears C). Offsets are element offsets into the arrays. Parallel over the pool.
     */
    public static void matmul(float[] a, int aOff, boolean transA,
                              float[] b, int bOff, boolean transB,
                              float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        matmul(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate, null, 0, Epilogue.NONE);
    }

    /**
     * {@link #matmul} with an epilogue: then {@code C = act(C + bias)} ({@code bias[biasOff + j]} added to
     * column j, or none when {@code bias} is null; {@code act} a {@link Epilogue} code), applied to each
     * block of C by the thread that computed it, after the block's last K step.
     */
    public static void matmul(float[] a, int aOff, boolean transA,
                              float[] b, int bOff, boolean transB,
                              float[] c, int cOff, int m, int n, int k, boolean accumulate,
                              float[] bias, int biasOff, int act) {
        checkArgs(a, aOff, b, bOff, c, cOff, m, n, k);
        if (bias != null && (biasOff < 0 || biasOff + n > bias.length)) {
            throw new IndexOutOfBoundsException("bias of " + n + " at " + biasOff + " outside an array of " + bias.length);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                Arrays.fill(c, cOff, cOff + m * n, 0f);
            }
            Epilogue.apply(c, cOff, n, 0, m, 0, n, bias, biasOff, act);
            return;
        }
        Ctx ctx = CTX.get();
        Job job = ctx.job;
        job.set(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate);
        job.epilogue(bias, biasOff, act);
        Parallel pool = Parallel.get();
        int t = pool.threads();
        long macs = (long) m * n * k;
        if (t == 1 || macs < INLINE_MACS) {
            job.whole(ctx.scratch);
        } else if (!ENABLED) {
            job.mode = Job.SCALAR_ROWS;
            pool.forRange(m, 1, job);
        } else if (useDot(m, k, transA, transB)) {
            job.mode = Job.DOT_COLS;
            pool.forRange(ceilDiv(n, 4), 1, job);
        } else if (m < MR) {
            job.mode = Job.SMALL_COLS;
            pool.forRange(ceilDiv(n, Job.smallUnit(transB)), 1, job);
        } else if (splitByRows(m, n, k, t, transA, transB)) {
            job.mode = Job.ROW_BLOCKS;
            pool.forRange(ceilDiv(m, MR), 1, job);
        } else {
            job.mode = Job.COL_PANELS;
            pool.forRange(ceilDiv(n, NR), 1, job);
        }
        job.clear();
    }

    /**
     * Batched: {@code batch} independent matmuls, operand i at {@code aOff + i*aStride} etc. (strides >= 0). Split
     * over the batch when the batch divides evenly among the threads (or is large), otherwise each matmul is
     * parallel on its own.
     */
    public static void batchedMatmul(int batch, float[] a, int aOff, int aStride, boolean transA,
                                     float[] b, int bOff, int bStride, boolean transB,
                                     float[] c, int cOff, int cStride, int m, int n, int k, boolean accumulate) {
        if (batch < 0 || aStride < 0 || bStride < 0 || cStride < 0) {
            throw new IllegalArgumentException("negative batch or stride: batch=" + batch + " strides="
                    + aStride + "," + bStride + "," + cStride);
        }
        if (batch == 0) {
            return;
        }
        long last = batch - 1L;
        checkArgs(a, aOff, b, bOff, c, cOff, m, n, k);
        if (aOff + last * aStride > Integer.MAX_VALUE || bOff + last * bStride > Integer.MAX_VALUE
                || cOff + last * cStride > Integer.MAX_VALUE) {
            throw new IndexOutOfBoundsException("batched operand offsets overflow int");
        }
        checkArgs(a, (int) (aOff + last * aStride), b, (int) (bOff + last * bStride),
                c, (int) (cOff + last * cStride), m, n, k);
        Parallel pool = Parallel.get();
        int t = pool.threads();
        long macs = (long) m * n * k;
        boolean overBatch = t > 1 && batch > 1 && k > 0 && macs * batch >= INLINE_MACS
                && (batch % t == 0 || batch >= 4 * t || macs < 4 * INLINE_MACS);
        if (!overBatch) {
            for (int i = 0; i < batch; i++) {
                matmul(a, aOff + i * aStride, transA, b, bOff + i * bStride, transB,
                        c, cOff + i * cStride, m, n, k, accumulate);
            }
            return;
        }
        Ctx ctx = CTX.get();
        Job job = ctx.job;
        job.set(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate);
        job.aStride = aStride;
        job.bStride = bStride;
        job.cStride = cStride;
        job.mode = Job.BATCH;
        pool.forRange(batch, 1, job);
        job.clear();
    }

    /** The vector lanes the kernels use (1 when the scalar path is selected). */
    public static int vectorLanes() {
        return ENABLED ? L : 1;
    }

    // ------------------------------------------------------------------------------------------------------------

    /**
     * Cost model for the 2-way choice of split: work per thread in multiply-add lanes, including padding of the last
     * panel/block, load imbalance and the packing each thread repeats. True = split rows (M).
     */
    static boolean splitByRows(int m, int n, int k, int t, boolean transA, boolean transB) {
        long mPad = roundUp(m, MR);
        long nPad = roundUp(n, L);
        long colsPerThread = Math.min(nPad, (long) ceilDiv(ceilDiv(n, NR), t) * NR);
        long rowsPerThread = (long) ceilDiv(ceilDiv(m, MR), t) * MR;
        long packA = transA ? 2 * PACK_COST : PACK_COST;
        long packB = transB ? 2 * PACK_COST : PACK_COST;
        long byCols = mPad * colsPerThread * k + packA * m * k + packB * colsPerThread * k;
        long byRows = rowsPerThread * nPad * k + packA * rowsPerThread * k + packB * (long) n * k;
        return byRows < byCols;
    }

    /**
     * Blocked GEMM of the region C[i0:i1, j0:j1] on the calling thread (m >= MR or any m; vector path), then the
     * epilogue ({@code bias}, {@code act}; see {@link Epilogue}) on each tile of C right after its last K block, while
     * the tile is in L1. NOTE: applied afterwards to the whole region, the epilogue read C back from memory: a
     * 3200x512 product (6.5 MB) with a bias took 2.7 ms in a BiLSTM's step against 1.7 ms without one.
     */
    static void gemm(Scratch s, float[] a, int aOff, boolean transA, float[] b, int bOff, boolean transB,
                     float[] c, int cOff, int m, int n, int k, boolean accumulate, int i0, int i1, int j0, int j1,
                     float[] bias, int biasOff, int act) {
        float[] tile = s.tile;
        if (j1 - j0 <= 2 * L) {
            gemmNarrow(s, a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate, i0, i1, j0, j1,
                    bias, biasOff, act);
            return;
        }
        boolean epilogue = Epilogue.any(bias, act);
        int kStep = kBlock(k);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            float[] bp = s.bBuffer(KC * roundUp(nc, L));
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc);
                boolean beta = accumulate || pc > 0;
                boolean last = epilogue && pc + kc >= k;
                MatMulPack.packB(s, b, bOff, transB, n, k, jc, nc, pc, kc, bp, Aligned.PAD);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    float[] ap = s.aBuffer(roundUp(mc, MR) * KC);
                    MatMulPack.packA(s, a, aOff, transA, m, k, ic, mc, pc, kc, ap);
                    int panel = Aligned.PAD;
                    for (int p = 0; p < nc; p += NR) {
                        int w = Math.min(NR, nc - p);
                        int nv = (w + L - 1) / L;
                        int cCol = cOff + jc + p;
                        for (int r = 0; r < mc; r += MR) {
                            int rows = Math.min(MR, mc - r);
                            MatMulKernels.kernel(nv, ap, r * KC, bp, panel, kc,
                                    c, cCol + (ic + r) * n, n, beta, rows, w, tile);
                            if (last) {
                                Epilogue.apply(c, cOff, n, ic + r, ic + r + rows, jc + p, jc + p + w, bias, biasOff, act);
                            }
                        }
                        panel += kc * nv * L;
                    }
                }
            }
        }
    }

    /**
     * Region at most 2L columns wide (e.g. the 10 logits of a classifier): one B panel per K block, and A read in
     * place by {@link MatMulKernels#kernelDirect1}/{@code 2}. NOTE: packing A here would cost about as much as the
     * multiply itself (one vector FMA per packed element).
     */
    static void gemmNarrow(Scratch s, float[] a, int aOff, boolean transA, float[] b, int bOff, boolean transB,
                           float[] c, int cOff, int m, int n, int k, boolean accumulate,
                           int i0, int i1, int j0, int j1, float[] bias, int biasOff, int act) {
        int w = j1 - j0;
        boolean epilogue = Epilogue.any(bias, act);
        int nv = (w + L - 1) / L;
        int ars = transA ? 1 : k;
        int aks = transA ? m : 1;
        float[] bp = s.bBuffer(KC * nv * L);
        int kStep = kBlock(k);
        for (int pc = 0; pc < k; pc += kStep) {
            int kc = Math.min(kStep, k - pc);
            boolean beta = accumulate || pc > 0;
            MatMulPack.packB(s, b, bOff, transB, n, k, j0, w, pc, kc, bp, Aligned.PAD);
            for (int r = i0; r < i1; r += MR) {
                int rows = Math.min(MR, i1 - r);
                int a0 = aOff + r * ars + pc * aks;
                if (nv == 1) {
                    MatMulKernels.kernelDirect1(a, a0, ars, aks, bp, Aligned.PAD, kc, c, cOff + r * n + j0, n, beta, rows, w,
                            s.tile);
                } else {
                    MatMulKernels.kernelDirect2(a, a0, ars, aks, bp, Aligned.PAD, kc, c, cOff + r * n + j0, n, beta, rows, w,
                            s.tile);
                }
                if (epilogue && pc + kc >= k) {
                    Epilogue.apply(c, cOff, n, r, r + rows, j0, j1, bias, biasOff, act);
                }
            }
        }
    }

    /**
     * K block length: at most KC, with the blocks of k evenly sized. NOTE: k = 784 gives 7 blocks of 112 instead of
     * 6 x 128 + 16; a short last block pays the full packing and C load/store overhead for little work.
     */
    static int kBlock(int k) {
        int blocks = ceilDiv(k, KC);
        return ceilDiv(k, blocks);
    }

    /** K at or above which A @ B^T with MR <= m <= {@link #DOT_MAX_M} uses {@link #dotGemm}. */
    static final int DOT_MIN_K = Integer.getInteger("ingot.matmul.dotMinK", 1024);
    /**
     * NOTE: measured (1 thread, JDK 25): dot tiles beat packing for 32x1024x256 A@B^T (78 vs 63 GFLOP/s), tie at
     * 64x2048x64 and lose at 64x9216x128 (65 vs 80) and 128x1024x128 (79 vs 109): the transposing pack of B is paid
     * once per M pass, so it only dominates when M is small.
     */
    static final int DOT_MAX_M = 32;
    /** K block of {@link #dotGemm}: 8 KB of each row, so the A and B slices of a block stay in L2. */
    private static final int DOT_KB = 2048;

    static boolean useDot(int m, int k, boolean transA, boolean transB) {
        return transB && !transA && m >= MR && m <= DOT_MAX_M && k >= DOT_MIN_K;
    }

    /**
     * A @ B^T for columns [j0, j1) as 4x4 tiles of dot products along k ({@link MatMulKernels#dot4x4}), k blocked
     * by {@link #DOT_KB}. No packing: both operands are k-contiguous.
     */
    static void dotGemm(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k,
                        boolean accumulate, int j0, int j1) {
        for (int pc = 0; pc < k; pc += DOT_KB) {
            int kb = Math.min(DOT_KB, k - pc);
            boolean beta = accumulate || pc > 0;
            int j = j0;
            for (; j + 4 <= j1; j += 4) {
                int bi = bOff + j * k + pc;
                int i = 0;
                for (; i + 4 <= m; i += 4) {
                    MatMulKernels.dot4x4(a, aOff + i * k + pc, k, b, bi, k, kb, c, cOff + i * n + j, n, beta);
                }
                for (; i < m; i++) {
                    MatMulKernels.dot4(a, aOff + i * k + pc, b, bi, k, kb, c, cOff + i * n + j, beta);
                }
            }
            for (; j < j1; j++) {
                for (int i = 0; i < m; i++) {
                    MatMulKernels.dot1(a, aOff + i * k + pc, b, bOff + j * k + pc, kb, c, cOff + i * n + j, beta);
                }
            }
        }
    }

    /** Small-M path for columns [j0, j1): B is read in place (or dotted along k when transposed). */
    static void small(Scratch s, float[] a, int aOff, boolean transA, float[] b, int bOff, boolean transB,
                      float[] c, int cOff, int m, int n, int k, boolean accumulate, int j0, int j1) {
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * n;
            if (!transB) {
                int ai = transA ? aOff + i : aOff + i * lda;
                int as = transA ? lda : 1;
                int j = j0;
                for (; j + 4 * L <= j1; j += 4 * L) {
                    MatMulKernels.row4(a, ai, as, b, bOff + j, ldb, k, c, ci + j, accumulate);
                }
                for (; j + L <= j1; j += L) {
                    MatMulKernels.row1(a, ai, as, b, bOff + j, ldb, k, c, ci + j, accumulate);
                }
                for (; j < j1; j++) {
                    float sum = 0f;
                    for (int kk = 0; kk < k; kk++) {
                        sum += a[ai + kk * as] * b[bOff + kk * ldb + j];
                    }
                    c[ci + j] = accumulate ? c[ci + j] + sum : sum;
                }
            } else {
                float[] x;
                int xi;
                if (transA) {
                    // NOTE: a column of the stored A; gather it once so the dot products read it contiguously.
                    x = s.rowBuffer(k);
                    xi = 0;
                    for (int kk = 0; kk < k; kk++) {
                        x[kk] = a[aOff + kk * lda + i];
                    }
                } else {
                    x = a;
                    xi = aOff + i * lda;
                }
                int j = j0;
                for (; j + 4 <= j1; j += 4) {
                    MatMulKernels.dot4(x, xi, b, bOff + j * ldb, ldb, k, c, ci + j, accumulate);
                }
                for (; j < j1; j++) {
                    MatMulKernels.dot1(x, xi, b, bOff + j * ldb, k, c, ci + j, accumulate);
                }
            }
        }
    }

    /** Validates dimensions, offsets and array extents (k may be 0; then A and B are not touched). */
    static void checkArgs(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative dimension: m=" + m + " n=" + n + " k=" + k);
        }
        if (aOff < 0 || bOff < 0 || cOff < 0) {
            throw new IndexOutOfBoundsException("negative offset: " + aOff + ", " + bOff + ", " + cOff);
        }
        checkExtent("A", a, aOff, (long) m * k);
        checkExtent("B", b, bOff, (long) k * n);
        checkExtent("C", c, cOff, (long) m * n);
    }

    private static void checkExtent(String name, float[] x, int off, long size) {
        if (off + size > x.length) {
            throw new IndexOutOfBoundsException(name + ": offset " + off + " + " + size + " elements > length "
                    + x.length);
        }
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    static int roundUp(int x, int y) {
        return ceilDiv(x, y) * y;
    }

    /** Per-thread packing buffers, grown on demand and then reused. */
    static final class Scratch {
        private float[] ap = new float[0];
        private float[] bp = new float[0];
        private float[] row = new float[0];
        final float[] tile = new float[MR * NR];

        float[] aBuffer(int size) {
            if (ap.length < size) {
                ap = new float[Math.max(size, MC * KC)];
            }
            return ap;
        }

        /** The B panel buffer: {@code size} floats from {@link Aligned#PAD} on (the first aligned element). */
        float[] bBuffer(int size) {
            if (bp.length < size + Aligned.PAD) {
                bp = Aligned.floats(size);
            }
            return bp;
        }

        float[] rowBuffer(int size) {
            if (row.length < size) {
                row = new float[size];
            }
            return row;
        }
    }

    /** What a thread keeps: its scratch, and the reusable task it hands to the pool when it is the caller. */
    private static final class Ctx {
        final Scratch scratch = new Scratch();
        final Job job = new Job();
    }

    /**
     * The parameters of one (batched) call, as a reusable {@link Parallel.RangeTask}. NOTE: a capturing lambda
     * would allocate on every call; the pool publishes these plain fields to the workers with a volatile write.
     */
    private static final class Job implements Parallel.RangeTask {
        static final int SCALAR_ROWS = 0;
        static final int SMALL_COLS = 1;
        static final int ROW_BLOCKS = 2;
        static final int COL_PANELS = 3;
        static final int BATCH = 4;
        static final int DOT_COLS = 5;

        int mode;
        float[] a;
        float[] b;
        float[] c;
        int aOff;
        int bOff;
        int cOff;
        int aStride;
        int bStride;
        int cStride;
        boolean transA;
        boolean transB;
        boolean accumulate;
        int m;
        int n;
        int k;
        float[] bias;
        int biasOff;
        int act;

        /** Column units of the small-M split: 4 vectors of C, or 4 dot products. */
        static int smallUnit(boolean transB) {
            return transB ? 4 : 4 * L;
        }

        void set(float[] a, int aOff, boolean transA, float[] b, int bOff, boolean transB,
                 float[] c, int cOff, int m, int n, int k, boolean accumulate) {
            this.a = a;
            this.aOff = aOff;
            this.transA = transA;
            this.b = b;
            this.bOff = bOff;
            this.transB = transB;
            this.c = c;
            this.cOff = cOff;
            this.m = m;
            this.n = n;
            this.k = k;
            this.accumulate = accumulate;
            this.bias = null;
            this.act = Epilogue.NONE;
        }

        /** The epilogue of this call (after {@link #set}, which clears it). */
        void epilogue(float[] bias, int biasOff, int act) {
            this.bias = bias;
            this.biasOff = biasOff;
            this.act = act;
        }

        /** Rows [r0, r1) and columns [c0, c1) of C are final: apply the epilogue while they are in cache. */
        private void finish(int co, int r0, int r1, int c0, int c1) {
            Epilogue.apply(c, co, n, r0, r1, c0, c1, bias, biasOff, act);
        }

        /** Drops the array references so the job does not keep user arrays alive. */
        void clear() {
            a = null;
            b = null;
            c = null;
            bias = null;
        }

        /** The whole GEMM on the calling thread. */
        void whole(Scratch s) {
            single(s, aOff, bOff, cOff);
        }

        private void single(Scratch s, int ao, int bo, int co) {
            if (k == 0) {
                if (!accumulate) {
                    Arrays.fill(c, co, co + m * n, 0f);
                }
            } else if (!ENABLED) {
                MatMulScalar.rows(a, ao, transA, b, bo, transB, c, co, m, n, k, accumulate, 0, m);
            } else if (useDot(m, k, transA, transB)) {
                dotGemm(a, ao, b, bo, c, co, m, n, k, accumulate, 0, n);
            } else if (m < MR) {
                small(s, a, ao, transA, b, bo, transB, c, co, m, n, k, accumulate, 0, n);
            } else {
                gemm(s, a, ao, transA, b, bo, transB, c, co, m, n, k, accumulate, 0, m, 0, n, bias, biasOff, act);
                return;   // the epilogue was applied tile by tile
            }
            finish(co, 0, m, 0, n);
        }

        @Override
        public void run(int lo, int hi) {
            Scratch s = CTX.get().scratch;
            switch (mode) {
                case SCALAR_ROWS:
                    MatMulScalar.rows(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate, lo, hi);
                    finish(cOff, lo, hi, 0, n);
                    break;
                case SMALL_COLS: {
                    int u = smallUnit(transB);
                    small(s, a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate,
                            lo * u, Math.min(n, hi * u));
                    finish(cOff, 0, m, lo * u, Math.min(n, hi * u));
                    break;
                }
                case DOT_COLS:
                    dotGemm(a, aOff, b, bOff, c, cOff, m, n, k, accumulate, lo * 4, Math.min(n, hi * 4));
                    finish(cOff, 0, m, lo * 4, Math.min(n, hi * 4));
                    break;
                case ROW_BLOCKS:
                    gemm(s, a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate,
                            lo * MR, Math.min(m, hi * MR), 0, n, bias, biasOff, act);
                    break;
                case COL_PANELS:
                    gemm(s, a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate,
                            0, m, lo * NR, Math.min(n, hi * NR), bias, biasOff, act);
                    break;
                case BATCH:
                    for (int i = lo; i < hi; i++) {
                        single(s, aOff + i * aStride, bOff + i * bStride, cOff + i * cStride);
                    }
                    break;
                default:
                    throw new IllegalStateException("mode " + mode);
            }
        }
    }
}
