package dev.ingot.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API micro-kernels of {@link MatMul}. Everything here is single-threaded and works on one tile.
 *
 * <h2>Register-blocked kernels {@code kernel1..kernel4}</h2>
 * {@code kernelN} computes a {@code MR x (N*L)} tile of C (MR = 6 rows, L = lanes of the species, 16 for 512-bit)
 * from a packed A block and a packed B panel over {@code kc <= KC} steps of k:
 * <pre>
 *   for kk in [0, kc):
 *     bv0..bv(N-1) = B panel row kk            (N contiguous vector loads)
 *     for r in [0, 6): x = broadcast(A[r][kk]); acc[r][v] = fma(bv_v, x, acc[r][v])
 * </pre>
 * The 6 x 4 kernel keeps 24 accumulators + 4 B vectors + 1 broadcast in 29 of the 32 zmm registers. Measured on
 * the 2-core Xeon (AVX-512, JDK 17 and 25), 6x4 with both operands packed reached 150-169 GFLOP/s of a 175 GFLOP/s
 * FMA peak on one core, against 110-127 for a 4x4 or 6x4 kernel that reads A in place (the variable row stride of A
 * costs range checks and address arithmetic in the loop) and 145-166 for 8x3.
 *
 * <p>Layouts (written by {@link MatMul}'s packing routines):
 * <ul>
 *   <li>A block: 6 rows, row {@code r} of the block at {@code a0 + r*KC}, contiguous in k. NOTE: the row stride is
 *       the compile-time constant {@link #KC}, not {@code kc}, so that C2 folds {@code ai + r*KC} into the
 *       addressing mode and eliminates the range checks; rows past M are zero.</li>
 *   <li>B panel: {@code kc} rows of {@code N*L} contiguous floats (row {@code kk} at {@code b0 + kk*N*L}); columns
 *       past N are zero.</li>
 * </ul>
 * After the k loop the accumulators are stored into a per-thread scratch tile (row stride NR) and
 * {@link #storeTile} adds (beta) or copies the valid {@code rows x cols} part into C.
 *
 * <p>NOTE: spilling every tile, not only edge tiles, costs about 1-2% (24 extra stores and loads per 128 k-steps of
 * 24 FMAs) but halves the kernel's bytecode. With direct C stores in both a beta and a no-beta branch, kernel4 was
 * 2063 bytes and C1 gave up on it ("out of virtual registers"); on JDK 25 the method then stayed at tier 2 and never
 * reached C2, so every vector was boxed (1.2 GFLOP/s, 2 MB of garbage per 64^3 call). At 964 bytes C1 compiles it
 * and C2 takes over as usual.
 *
 * <p>NOTE: the kernels are written out by hand (generated from one template) because vectors held in arrays or
 * passed to a method that is not inlined are boxed; each kernel keeps its vectors in locals and stays far below
 * the 8000-byte limit above which HotSpot refuses to JIT-compile a method.
 *
 * <h2>Small-M kernels</h2>
 * For M < 6 (batch-1 inference) packing B would cost as much as the multiply itself, so {@link #row4}/{@link #row1}
 * stream B in place (one row of C at a time, two k-steps unrolled for more independent accumulators) and, when B
 * is transposed, {@link #dot4}/{@link #dot1} compute dot products along k.
 *
 * <h2>Narrow-N kernels</h2>
 * {@link #kernelDirect1}/{@link #kernelDirect2} are the 6-row kernels with A read in place (any row and k stride),
 * for N of at most 2 vectors (the 10 logits of a classifier), where packing A would cost about one vector FMA per
 * element, as much as the multiply.
 *
 * <h2>Dot-product tiles</h2>
 * {@link #dot4x4} serves A @ B^T with a long k and a small M (e.g. a Linear layer with PyTorch's [out, in] weight
 * layout at a small batch): both operands are read along their contiguous rows, with no transposing pack of B.
 */
final class MatMulKernels {
    private MatMulKernels() {
    }

    /** The vector species ({@link Simd}). */
    static final VectorSpecies<Float> F = Simd.F;
    /** Lanes per vector. */
    static final int L = Simd.L;
    /** Rows of the register block. */
    static final int MR = 6;
    /** Vectors per full B panel: 4 with 32 vector registers (AVX-512), 2 otherwise (16 registers). */
    static final int NV = L >= 16 ? 4 : 2;
    /** Columns of a full B panel. */
    static final int NR = NV * L;
    /** K block; also the row stride of a packed A block. */
    static final int KC = Math.max(16, Integer.getInteger("ingot.matmul.kc", 128));
    /**
     * Whether the vector path is used: {@code ingot.vector=false} selects the scalar code everywhere, and so does a
     * preferred species narrower than 8 floats (no useful SIMD).
     */
    static final boolean ENABLED = Simd.ENABLED;


    /**
     * Dispatches to {@code kernel<nv>}; a full-width tile (nv = 4) of at most 4 valid rows goes to
     * {@link #kernel4Rows2} or {@link #kernel4Rows4}, which do not multiply the zero rows of the padded A block.
     * NOTE: M = 32 (a recurrent step at batch 32) is 5 blocks of 6 rows and 2 rows; with the 6-row kernel for those
     * 2 rows, 11% of the FMAs multiplied zeros.
     */
    static void kernel(int nv, float[] ap, int a0, float[] bp, int b0, int kc,
                       float[] c, int c0, int ldc, boolean beta, int rows, int cols, float[] tile) {
        if (nv == 4 && rows <= 4) {
            if (rows <= 2) {
                kernel4Rows2(ap, a0, bp, b0, kc, c, c0, ldc, beta, rows, cols, tile);
            } else {
                kernel4Rows4(ap, a0, bp, b0, kc, c, c0, ldc, beta, rows, cols, tile);
            }
            return;
        }
        switch (nv) {
            case 4: kernel4(ap, a0, bp, b0, kc, c, c0, ldc, beta, rows, cols, tile); break;
            case 3: kernel3(ap, a0, bp, b0, kc, c, c0, ldc, beta, rows, cols, tile); break;
            case 2: kernel2(ap, a0, bp, b0, kc, c, c0, ldc, beta, rows, cols, tile); break;
            default: kernel1(ap, a0, bp, b0, kc, c, c0, ldc, beta, rows, cols, tile); break;
        }
    }

    /** Copies the valid {@code rows x cols} part of a spilled tile (row stride NR) into C, adding if beta. */
    static void storeTile(float[] tile, float[] c, int c0, int ldc, int rows, int cols, boolean beta) {
        for (int r = 0; r < rows; r++) {
            int t = r * NR;
            int ci = c0 + r * ldc;
            int j = 0;
            for (; j + L <= cols; j += L) {
                FloatVector v = FloatVector.fromArray(F, tile, t + j);
                if (beta) {
                    v = v.add(FloatVector.fromArray(F, c, ci + j));
                }
                v.intoArray(c, ci + j);
            }
            for (; j < cols; j++) {
                c[ci + j] = beta ? c[ci + j] + tile[t + j] : tile[t + j];
            }
        }
    }

    /** 6 x 1L micro-kernel: see the class javadoc. Packed B panel width is 1L. */
    static void kernel1(float[] ap, int a0, float[] bp, int b0, int kc,
                        float[] c, int c0, int ldc, boolean beta, int rows, int cols, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c10 = z, c20 = z, c30 = z, c40 = z, c50 = z;
        for (int kk = 0; kk < kc; kk++) {
            int bi = b0 + kk * (1 * L);
            int ai = a0 + kk;
            FloatVector bv0 = FloatVector.fromArray(F, bp, bi);
            FloatVector x = FloatVector.broadcast(F, ap[ai]);
            c00 = bv0.fma(x, c00);
            x = FloatVector.broadcast(F, ap[ai + KC]);
            c10 = bv0.fma(x, c10);
            x = FloatVector.broadcast(F, ap[ai + 2 * KC]);
            c20 = bv0.fma(x, c20);
            x = FloatVector.broadcast(F, ap[ai + 3 * KC]);
            c30 = bv0.fma(x, c30);
            x = FloatVector.broadcast(F, ap[ai + 4 * KC]);
            c40 = bv0.fma(x, c40);
            x = FloatVector.broadcast(F, ap[ai + 5 * KC]);
            c50 = bv0.fma(x, c50);
        }
        // NOTE: always spill to the tile; see the class javadoc (keeps the method small enough for C1).
        c00.intoArray(tile, 0 * NR);
        c10.intoArray(tile, 1 * NR);
        c20.intoArray(tile, 2 * NR);
        c30.intoArray(tile, 3 * NR);
        c40.intoArray(tile, 4 * NR);
        c50.intoArray(tile, 5 * NR);
        storeTile(tile, c, c0, ldc, rows, cols, beta);
    }

    /** 6 x 2L micro-kernel: see the class javadoc. Packed B panel width is 2L. */
    static void kernel2(float[] ap, int a0, float[] bp, int b0, int kc,
                        float[] c, int c0, int ldc, boolean beta, int rows, int cols, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z;
        for (int kk = 0; kk < kc; kk++) {
            int bi = b0 + kk * (2 * L);
            int ai = a0 + kk;
            FloatVector bv0 = FloatVector.fromArray(F, bp, bi);
            FloatVector bv1 = FloatVector.fromArray(F, bp, bi + L);
            FloatVector x = FloatVector.broadcast(F, ap[ai]);
            c00 = bv0.fma(x, c00); c01 = bv1.fma(x, c01);
            x = FloatVector.broadcast(F, ap[ai + KC]);
            c10 = bv0.fma(x, c10); c11 = bv1.fma(x, c11);
            x = FloatVector.broadcast(F, ap[ai + 2 * KC]);
            c20 = bv0.fma(x, c20); c21 = bv1.fma(x, c21);
            x = FloatVector.broadcast(F, ap[ai + 3 * KC]);
            c30 = bv0.fma(x, c30); c31 = bv1.fma(x, c31);
            x = FloatVector.broadcast(F, ap[ai + 4 * KC]);
            c40 = bv0.fma(x, c40); c41 = bv1.fma(x, c41);
            x = FloatVector.broadcast(F, ap[ai + 5 * KC]);
            c50 = bv0.fma(x, c50); c51 = bv1.fma(x, c51);
        }
        // NOTE: always spill to the tile; see the class javadoc (keeps the method small enough for C1).
        c00.intoArray(tile, 0 * NR); c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L);
        storeTile(tile, c, c0, ldc, rows, cols, beta);
    }

    /** 6 x 3L micro-kernel: see the class javadoc. Packed B panel width is 3L. */
    static void kernel3(float[] ap, int a0, float[] bp, int b0, int kc,
                        float[] c, int c0, int ldc, boolean beta, int rows, int cols, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c10 = z, c11 = z, c12 = z, c20 = z, c21 = z;
        FloatVector c22 = z, c30 = z, c31 = z, c32 = z, c40 = z, c41 = z, c42 = z, c50 = z;
        FloatVector c51 = z, c52 = z;
        for (int kk = 0; kk < kc; kk++) {
            int bi = b0 + kk * (3 * L);
            int ai = a0 + kk;
            FloatVector bv0 = FloatVector.fromArray(F, bp, bi);
            FloatVector bv1 = FloatVector.fromArray(F, bp, bi + L);
            FloatVector bv2 = FloatVector.fromArray(F, bp, bi + 2 * L);
            FloatVector x = FloatVector.broadcast(F, ap[ai]);
            c00 = bv0.fma(x, c00); c01 = bv1.fma(x, c01); c02 = bv2.fma(x, c02);
            x = FloatVector.broadcast(F, ap[ai + KC]);
            c10 = bv0.fma(x, c10); c11 = bv1.fma(x, c11); c12 = bv2.fma(x, c12);
            x = FloatVector.broadcast(F, ap[ai + 2 * KC]);
            c20 = bv0.fma(x, c20); c21 = bv1.fma(x, c21); c22 = bv2.fma(x, c22);
            x = FloatVector.broadcast(F, ap[ai + 3 * KC]);
            c30 = bv0.fma(x, c30); c31 = bv1.fma(x, c31); c32 = bv2.fma(x, c32);
            x = FloatVector.broadcast(F, ap[ai + 4 * KC]);
            c40 = bv0.fma(x, c40); c41 = bv1.fma(x, c41); c42 = bv2.fma(x, c42);
            x = FloatVector.broadcast(F, ap[ai + 5 * KC]);
            c50 = bv0.fma(x, c50); c51 = bv1.fma(x, c51); c52 = bv2.fma(x, c52);
        }
        // NOTE: always spill to the tile; see the class javadoc (keeps the method small enough for C1).
        c00.intoArray(tile, 0 * NR); c01.intoArray(tile, 0 * NR + L); c02.intoArray(tile, 0 * NR + 2 * L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L); c12.intoArray(tile, 1 * NR + 2 * L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L); c22.intoArray(tile, 2 * NR + 2 * L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L); c32.intoArray(tile, 3 * NR + 2 * L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L); c42.intoArray(tile, 4 * NR + 2 * L);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L); c52.intoArray(tile, 5 * NR + 2 * L);
        storeTile(tile, c, c0, ldc, rows, cols, beta);
    }

    /** 6 x 4L micro-kernel: see the class javadoc. Packed B panel width is 4L. */
    static void kernel4(float[] ap, int a0, float[] bp, int b0, int kc,
                        float[] c, int c0, int ldc, boolean beta, int rows, int cols, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
        FloatVector c40 = z, c41 = z, c42 = z, c43 = z, c50 = z, c51 = z, c52 = z, c53 = z;
        for (int kk = 0; kk < kc; kk++) {
            int bi = b0 + kk * (4 * L);
            int ai = a0 + kk;
            FloatVector bv0 = FloatVector.fromArray(F, bp, bi);
            FloatVector bv1 = FloatVector.fromArray(F, bp, bi + L);
            FloatVector bv2 = FloatVector.fromArray(F, bp, bi + 2 * L);
            FloatVector bv3 = FloatVector.fromArray(F, bp, bi + 3 * L);
            FloatVector x = FloatVector.broadcast(F, ap[ai]);
            c00 = bv0.fma(x, c00); c01 = bv1.fma(x, c01); c02 = bv2.fma(x, c02); c03 = bv3.fma(x, c03);
            x = FloatVector.broadcast(F, ap[ai + KC]);
            c10 = bv0.fma(x, c10); c11 = bv1.fma(x, c11); c12 = bv2.fma(x, c12); c13 = bv3.fma(x, c13);
            x = FloatVector.broadcast(F, ap[ai + 2 * KC]);
            c20 = bv0.fma(x, c20); c21 = bv1.fma(x, c21); c22 = bv2.fma(x, c22); c23 = bv3.fma(x, c23);
            x = FloatVector.broadcast(F, ap[ai + 3 * KC]);
            c30 = bv0.fma(x, c30); c31 = bv1.fma(x, c31); c32 = bv2.fma(x, c32); c33 = bv3.fma(x, c33);
            x = FloatVector.broadcast(F, ap[ai + 4 * KC]);
            c40 = bv0.fma(x, c40); c41 = bv1.fma(x, c41); c42 = bv2.fma(x, c42); c43 = bv3.fma(x, c43);
            x = FloatVector.broadcast(F, ap[ai + 5 * KC]);
            c50 = bv0.fma(x, c50); c51 = bv1.fma(x, c51); c52 = bv2.fma(x, c52); c53 = bv3.fma(x, c53);
        }
        // NOTE: always spill to the tile; see the class javadoc (keeps the method small enough for C1).
        c00.intoArray(tile, 0 * NR); c01.intoArray(tile, 0 * NR + L); c02.intoArray(tile, 0 * NR + 2 * L); c03.intoArray(tile, 0 * NR + 3 * L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L); c12.intoArray(tile, 1 * NR + 2 * L); c13.intoArray(tile, 1 * NR + 3 * L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L); c22.intoArray(tile, 2 * NR + 2 * L); c23.intoArray(tile, 2 * NR + 3 * L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L); c32.intoArray(tile, 3 * NR + 2 * L); c33.intoArray(tile, 3 * NR + 3 * L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L); c42.intoArray(tile, 4 * NR + 2 * L); c43.intoArray(tile, 4 * NR + 3 * L);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L); c52.intoArray(tile, 5 * NR + 2 * L); c53.intoArray(tile, 5 * NR + 3 * L);
        storeTile(tile, c, c0, ldc, rows, cols, beta);
    }

    /**
     * 2 x 4L micro-kernel for the last 1-2 rows of a block (same layouts as {@link #kernel4}): 8 accumulators, which
     * is still enough independent FMA chains to cover the FMA latency on two pipes.
     */
    static void kernel4Rows2(float[] ap, int a0, float[] bp, int b0, int kc,
                             float[] c, int c0, int ldc, boolean beta, int rows, int cols, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        for (int kk = 0; kk < kc; kk++) {
            int bi = b0 + kk * (4 * L);
            int ai = a0 + kk;
            FloatVector bv0 = FloatVector.fromArray(F, bp, bi);
            FloatVector bv1 = FloatVector.fromArray(F, bp, bi + L);
            FloatVector bv2 = FloatVector.fromArray(F, bp, bi + 2 * L);
            FloatVector bv3 = FloatVector.fromArray(F, bp, bi + 3 * L);
            FloatVector x = FloatVector.broadcast(F, ap[ai]);
            c00 = bv0.fma(x, c00); c01 = bv1.fma(x, c01); c02 = bv2.fma(x, c02); c03 = bv3.fma(x, c03);
            x = FloatVector.broadcast(F, ap[ai + KC]);
            c10 = bv0.fma(x, c10); c11 = bv1.fma(x, c11); c12 = bv2.fma(x, c12); c13 = bv3.fma(x, c13);
        }
        c00.intoArray(tile, 0); c01.intoArray(tile, L); c02.intoArray(tile, 2 * L); c03.intoArray(tile, 3 * L);
        c10.intoArray(tile, NR); c11.intoArray(tile, NR + L); c12.intoArray(tile, NR + 2 * L); c13.intoArray(tile, NR + 3 * L);
        storeTile(tile, c, c0, ldc, rows, cols, beta);
    }

    /** 4 x 4L micro-kernel for the last 3-4 rows of a block, as {@link #kernel4Rows2}. */
    static void kernel4Rows4(float[] ap, int a0, float[] bp, int b0, int kc,
                             float[] c, int c0, int ldc, boolean beta, int rows, int cols, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
        for (int kk = 0; kk < kc; kk++) {
            int bi = b0 + kk * (4 * L);
            int ai = a0 + kk;
            FloatVector bv0 = FloatVector.fromArray(F, bp, bi);
            FloatVector bv1 = FloatVector.fromArray(F, bp, bi + L);
            FloatVector bv2 = FloatVector.fromArray(F, bp, bi + 2 * L);
            FloatVector bv3 = FloatVector.fromArray(F, bp, bi + 3 * L);
            FloatVector x = FloatVector.broadcast(F, ap[ai]);
            c00 = bv0.fma(x, c00); c01 = bv1.fma(x, c01); c02 = bv2.fma(x, c02); c03 = bv3.fma(x, c03);
            x = FloatVector.broadcast(F, ap[ai + KC]);
            c10 = bv0.fma(x, c10); c11 = bv1.fma(x, c11); c12 = bv2.fma(x, c12); c13 = bv3.fma(x, c13);
            x = FloatVector.broadcast(F, ap[ai + 2 * KC]);
            c20 = bv0.fma(x, c20); c21 = bv1.fma(x, c21); c22 = bv2.fma(x, c22); c23 = bv3.fma(x, c23);
            x = FloatVector.broadcast(F, ap[ai + 3 * KC]);
            c30 = bv0.fma(x, c30); c31 = bv1.fma(x, c31); c32 = bv2.fma(x, c32); c33 = bv3.fma(x, c33);
        }
        c00.intoArray(tile, 0); c01.intoArray(tile, L); c02.intoArray(tile, 2 * L); c03.intoArray(tile, 3 * L);
        c10.intoArray(tile, NR); c11.intoArray(tile, NR + L); c12.intoArray(tile, NR + 2 * L); c13.intoArray(tile, NR + 3 * L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L); c22.intoArray(tile, 2 * NR + 2 * L); c23.intoArray(tile, 2 * NR + 3 * L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L); c32.intoArray(tile, 3 * NR + 2 * L); c33.intoArray(tile, 3 * NR + 3 * L);
        storeTile(tile, c, c0, ldc, rows, cols, beta);
    }

    /**
     * 6 x 1L kernel reading A in place: A(r, kk) = a[a0 + r*ars + kk*aks]. Used when N is at most 1L wide,
     * where packing A would cost as much as the multiply.
     */
    static void kernelDirect1(float[] a, int a0, int ars, int aks, float[] bp, int b0, int kc,
                              float[] c, int c0, int ldc, boolean beta, int rows, int cols, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c10 = z, c20 = z, c30 = z, c40 = z, c50 = z;
        // NOTE: rows past the edge re-read the last valid row (never out of bounds); they are not stored.
        int last = rows - 1;
        int a1 = a0 + Math.min(1, last) * ars, a2 = a0 + Math.min(2, last) * ars, a3 = a0 + Math.min(3, last) * ars;
        int a4 = a0 + Math.min(4, last) * ars, a5 = a0 + Math.min(5, last) * ars;
        for (int kk = 0; kk < kc; kk++) {
            int bi = b0 + kk * (1 * L);
            int ak = kk * aks;
            FloatVector bv0 = FloatVector.fromArray(F, bp, bi);
            FloatVector x = FloatVector.broadcast(F, a[a0 + ak]);
            c00 = bv0.fma(x, c00);
            x = FloatVector.broadcast(F, a[a1 + ak]);
            c10 = bv0.fma(x, c10);
            x = FloatVector.broadcast(F, a[a2 + ak]);
            c20 = bv0.fma(x, c20);
            x = FloatVector.broadcast(F, a[a3 + ak]);
            c30 = bv0.fma(x, c30);
            x = FloatVector.broadcast(F, a[a4 + ak]);
            c40 = bv0.fma(x, c40);
            x = FloatVector.broadcast(F, a[a5 + ak]);
            c50 = bv0.fma(x, c50);
        }
        c00.intoArray(tile, 0 * NR);
        c10.intoArray(tile, 1 * NR);
        c20.intoArray(tile, 2 * NR);
        c30.intoArray(tile, 3 * NR);
        c40.intoArray(tile, 4 * NR);
        c50.intoArray(tile, 5 * NR);
        storeTile(tile, c, c0, ldc, rows, cols, beta);
    }

    /**
     * 6 x 2L kernel reading A in place: A(r, kk) = a[a0 + r*ars + kk*aks]. Used when N is at most 2L wide,
     * where packing A would cost as much as the multiply.
     */
    static void kernelDirect2(float[] a, int a0, int ars, int aks, float[] bp, int b0, int kc,
                              float[] c, int c0, int ldc, boolean beta, int rows, int cols, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z;
        // NOTE: rows past the edge re-read the last valid row (never out of bounds); they are not stored.
        int last = rows - 1;
        int a1 = a0 + Math.min(1, last) * ars, a2 = a0 + Math.min(2, last) * ars, a3 = a0 + Math.min(3, last) * ars;
        int a4 = a0 + Math.min(4, last) * ars, a5 = a0 + Math.min(5, last) * ars;
        for (int kk = 0; kk < kc; kk++) {
            int bi = b0 + kk * (2 * L);
            int ak = kk * aks;
            FloatVector bv0 = FloatVector.fromArray(F, bp, bi);
            FloatVector bv1 = FloatVector.fromArray(F, bp, bi + L);
            FloatVector x = FloatVector.broadcast(F, a[a0 + ak]);
            c00 = bv0.fma(x, c00); c01 = bv1.fma(x, c01);
            x = FloatVector.broadcast(F, a[a1 + ak]);
            c10 = bv0.fma(x, c10); c11 = bv1.fma(x, c11);
            x = FloatVector.broadcast(F, a[a2 + ak]);
            c20 = bv0.fma(x, c20); c21 = bv1.fma(x, c21);
            x = FloatVector.broadcast(F, a[a3 + ak]);
            c30 = bv0.fma(x, c30); c31 = bv1.fma(x, c31);
            x = FloatVector.broadcast(F, a[a4 + ak]);
            c40 = bv0.fma(x, c40); c41 = bv1.fma(x, c41);
            x = FloatVector.broadcast(F, a[a5 + ak]);
            c50 = bv0.fma(x, c50); c51 = bv1.fma(x, c51);
        }
        c00.intoArray(tile, 0 * NR); c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L);
        storeTile(tile, c, c0, ldc, rows, cols, beta);
    }

    /**
     * One row of C, 4L columns: {@code c[ci + j] (+)= sum_kk a[ai + kk*as] * b[bi + kk*ldb + j]}, B read in place.
     * NOTE: two k steps per iteration into separate accumulators, so 8 FMA chains hide the FMA latency.
     */
    static void row4(float[] a, int ai, int as, float[] b, int bi, int ldb, int k, float[] c, int ci, boolean beta) {
        FloatVector z = FloatVector.zero(F);
        FloatVector s0 = z, s1 = z, s2 = z, s3 = z, t0 = z, t1 = z, t2 = z, t3 = z;
        int kk = 0;
        for (; kk + 1 < k; kk += 2) {
            int p = bi + kk * ldb;
            FloatVector x = FloatVector.broadcast(F, a[ai + kk * as]);
            s0 = FloatVector.fromArray(F, b, p).fma(x, s0);
            s1 = FloatVector.fromArray(F, b, p + L).fma(x, s1);
            s2 = FloatVector.fromArray(F, b, p + 2 * L).fma(x, s2);
            s3 = FloatVector.fromArray(F, b, p + 3 * L).fma(x, s3);
            p += ldb;
            x = FloatVector.broadcast(F, a[ai + (kk + 1) * as]);
            t0 = FloatVector.fromArray(F, b, p).fma(x, t0);
            t1 = FloatVector.fromArray(F, b, p + L).fma(x, t1);
            t2 = FloatVector.fromArray(F, b, p + 2 * L).fma(x, t2);
            t3 = FloatVector.fromArray(F, b, p + 3 * L).fma(x, t3);
        }
        if (kk < k) {
            int p = bi + kk * ldb;
            FloatVector x = FloatVector.broadcast(F, a[ai + kk * as]);
            s0 = FloatVector.fromArray(F, b, p).fma(x, s0);
            s1 = FloatVector.fromArray(F, b, p + L).fma(x, s1);
            s2 = FloatVector.fromArray(F, b, p + 2 * L).fma(x, s2);
            s3 = FloatVector.fromArray(F, b, p + 3 * L).fma(x, s3);
        }
        s0 = s0.add(t0);
        s1 = s1.add(t1);
        s2 = s2.add(t2);
        s3 = s3.add(t3);
        if (beta) {
            s0 = s0.add(FloatVector.fromArray(F, c, ci));
            s1 = s1.add(FloatVector.fromArray(F, c, ci + L));
            s2 = s2.add(FloatVector.fromArray(F, c, ci + 2 * L));
            s3 = s3.add(FloatVector.fromArray(F, c, ci + 3 * L));
        }
        s0.intoArray(c, ci);
        s1.intoArray(c, ci + L);
        s2.intoArray(c, ci + 2 * L);
        s3.intoArray(c, ci + 3 * L);
    }

    /** As {@link #row4} for L columns, four k steps per iteration. */
    static void row1(float[] a, int ai, int as, float[] b, int bi, int ldb, int k, float[] c, int ci, boolean beta) {
        FloatVector z = FloatVector.zero(F);
        FloatVector s0 = z, s1 = z, s2 = z, s3 = z;
        int kk = 0;
        for (; kk + 3 < k; kk += 4) {
            int p = bi + kk * ldb;
            int q = ai + kk * as;
            s0 = FloatVector.fromArray(F, b, p).fma(FloatVector.broadcast(F, a[q]), s0);
            s1 = FloatVector.fromArray(F, b, p + ldb).fma(FloatVector.broadcast(F, a[q + as]), s1);
            s2 = FloatVector.fromArray(F, b, p + 2 * ldb).fma(FloatVector.broadcast(F, a[q + 2 * as]), s2);
            s3 = FloatVector.fromArray(F, b, p + 3 * ldb).fma(FloatVector.broadcast(F, a[q + 3 * as]), s3);
        }
        for (; kk < k; kk++) {
            s0 = FloatVector.fromArray(F, b, bi + kk * ldb).fma(FloatVector.broadcast(F, a[ai + kk * as]), s0);
        }
        s0 = s0.add(s1).add(s2.add(s3));
        if (beta) {
            s0 = s0.add(FloatVector.fromArray(F, c, ci));
        }
        s0.intoArray(c, ci);
    }

    /**
     * A 4 x 4 tile of dot products along k (A not transposed, B transposed, both k-contiguous):
     * {@code c[ci + r*ldc + q] (+)= sum_kk a[ai + r*lda + kk] * b[bi + q*ldb + kk]}. 16 vector accumulators,
     * 8 loads per 16 FMAs, one horizontal reduction per output at the end.
     */
    static void dot4x4(float[] a, int ai, int lda, float[] b, int bi, int ldb, int k,
                       float[] c, int ci, int ldc, boolean beta) {
        FloatVector z = FloatVector.zero(F);
        FloatVector s00 = z, s01 = z, s02 = z, s03 = z, s10 = z, s11 = z, s12 = z, s13 = z;
        FloatVector s20 = z, s21 = z, s22 = z, s23 = z, s30 = z, s31 = z, s32 = z, s33 = z;
        int a1 = ai + lda, a2 = a1 + lda, a3 = a2 + lda;
        int b1 = bi + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        int kv = F.loopBound(k);
        int kk = 0;
        for (; kk < kv; kk += L) {
            FloatVector y0 = FloatVector.fromArray(F, b, bi + kk);
            FloatVector y1 = FloatVector.fromArray(F, b, b1 + kk);
            FloatVector y2 = FloatVector.fromArray(F, b, b2 + kk);
            FloatVector y3 = FloatVector.fromArray(F, b, b3 + kk);
            FloatVector x0 = FloatVector.fromArray(F, a, ai + kk);
            s00 = y0.fma(x0, s00); s01 = y1.fma(x0, s01); s02 = y2.fma(x0, s02); s03 = y3.fma(x0, s03);
            FloatVector x1 = FloatVector.fromArray(F, a, a1 + kk);
            s10 = y0.fma(x1, s10); s11 = y1.fma(x1, s11); s12 = y2.fma(x1, s12); s13 = y3.fma(x1, s13);
            FloatVector x2 = FloatVector.fromArray(F, a, a2 + kk);
            s20 = y0.fma(x2, s20); s21 = y1.fma(x2, s21); s22 = y2.fma(x2, s22); s23 = y3.fma(x2, s23);
            FloatVector x3 = FloatVector.fromArray(F, a, a3 + kk);
            s30 = y0.fma(x3, s30); s31 = y1.fma(x3, s31); s32 = y2.fma(x3, s32); s33 = y3.fma(x3, s33);
        }
        float r00 = Simd.sum(s00), r01 = Simd.sum(s01), r02 = Simd.sum(s02), r03 = Simd.sum(s03);
        float r10 = Simd.sum(s10), r11 = Simd.sum(s11), r12 = Simd.sum(s12), r13 = Simd.sum(s13);
        float r20 = Simd.sum(s20), r21 = Simd.sum(s21), r22 = Simd.sum(s22), r23 = Simd.sum(s23);
        float r30 = Simd.sum(s30), r31 = Simd.sum(s31), r32 = Simd.sum(s32), r33 = Simd.sum(s33);
        for (; kk < k; kk++) {
            float x0 = a[ai + kk], x1 = a[a1 + kk], x2 = a[a2 + kk], x3 = a[a3 + kk];
            float y0 = b[bi + kk], y1 = b[b1 + kk], y2 = b[b2 + kk], y3 = b[b3 + kk];
            r00 += x0 * y0; r01 += x0 * y1; r02 += x0 * y2; r03 += x0 * y3;
            r10 += x1 * y0; r11 += x1 * y1; r12 += x1 * y2; r13 += x1 * y3;
            r20 += x2 * y0; r21 += x2 * y1; r22 += x2 * y2; r23 += x2 * y3;
            r30 += x3 * y0; r31 += x3 * y1; r32 += x3 * y2; r33 += x3 * y3;
        }
        int c0 = ci;
        c[c0] = beta ? c[c0] + r00 : r00;
        c[c0 + 1] = beta ? c[c0 + 1] + r01 : r01;
        c[c0 + 2] = beta ? c[c0 + 2] + r02 : r02;
        c[c0 + 3] = beta ? c[c0 + 3] + r03 : r03;
        int c1 = ci + 1 * ldc;
        c[c1] = beta ? c[c1] + r10 : r10;
        c[c1 + 1] = beta ? c[c1 + 1] + r11 : r11;
        c[c1 + 2] = beta ? c[c1 + 2] + r12 : r12;
        c[c1 + 3] = beta ? c[c1 + 3] + r13 : r13;
        int c2 = ci + 2 * ldc;
        c[c2] = beta ? c[c2] + r20 : r20;
        c[c2 + 1] = beta ? c[c2 + 1] + r21 : r21;
        c[c2 + 2] = beta ? c[c2 + 2] + r22 : r22;
        c[c2 + 3] = beta ? c[c2 + 3] + r23 : r23;
        int c3 = ci + 3 * ldc;
        c[c3] = beta ? c[c3] + r30 : r30;
        c[c3 + 1] = beta ? c[c3 + 1] + r31 : r31;
        c[c3 + 2] = beta ? c[c3 + 2] + r32 : r32;
        c[c3 + 3] = beta ? c[c3 + 3] + r33 : r33;
    }
    /**
     * Four dot products along k (B transposed, stored [n, k]): {@code c[ci + q] (+)= sum_kk x[xi + kk] *
     * b[bi + q*ldb + kk]} for q in [0, 4).
     */
    static void dot4(float[] x, int xi, float[] b, int bi, int ldb, int k, float[] c, int ci, boolean beta) {
        FloatVector z = FloatVector.zero(F);
        FloatVector s0 = z, s1 = z, s2 = z, s3 = z;
        int b1 = bi + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        int kv = F.loopBound(k);
        int kk = 0;
        for (; kk < kv; kk += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xi + kk);
            s0 = FloatVector.fromArray(F, b, bi + kk).fma(xv, s0);
            s1 = FloatVector.fromArray(F, b, b1 + kk).fma(xv, s1);
            s2 = FloatVector.fromArray(F, b, b2 + kk).fma(xv, s2);
            s3 = FloatVector.fromArray(F, b, b3 + kk).fma(xv, s3);
        }
        float r0 = Simd.sum(s0);
        float r1 = Simd.sum(s1);
        float r2 = Simd.sum(s2);
        float r3 = Simd.sum(s3);
        for (; kk < k; kk++) {
            float xs = x[xi + kk];
            r0 += xs * b[bi + kk];
            r1 += xs * b[b1 + kk];
            r2 += xs * b[b2 + kk];
            r3 += xs * b[b3 + kk];
        }
        if (beta) {
            r0 += c[ci];
            r1 += c[ci + 1];
            r2 += c[ci + 2];
            r3 += c[ci + 3];
        }
        c[ci] = r0;
        c[ci + 1] = r1;
        c[ci + 2] = r2;
        c[ci + 3] = r3;
    }

    /** One dot product along k, as {@link #dot4}. */
    static void dot1(float[] x, int xi, float[] b, int bi, int k, float[] c, int ci, boolean beta) {
        FloatVector z = FloatVector.zero(F);
        FloatVector s0 = z, s1 = z;
        int kv = F.loopBound(k);
        int kk = 0;
        for (; kk + L < kv; kk += 2 * L) {
            s0 = FloatVector.fromArray(F, b, bi + kk).fma(FloatVector.fromArray(F, x, xi + kk), s0);
            s1 = FloatVector.fromArray(F, b, bi + kk + L).fma(FloatVector.fromArray(F, x, xi + kk + L), s1);
        }
        for (; kk < kv; kk += L) {
            s0 = FloatVector.fromArray(F, b, bi + kk).fma(FloatVector.fromArray(F, x, xi + kk), s0);
        }
        float r = Simd.sum(s0.add(s1));
        for (; kk < k; kk++) {
            r += x[xi + kk] * b[bi + kk];
        }
        c[ci] = beta ? c[ci] + r : r;
    }
}
