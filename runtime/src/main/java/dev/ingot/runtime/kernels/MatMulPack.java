package dev.ingot.runtime.kernels;

import static dev.ingot.runtime.kernels.MatMulKernels.KC;
import static dev.ingot.runtime.kernels.MatMulKernels.L;
import static dev.ingot.runtime.kernels.MatMulKernels.MR;
import static dev.ingot.runtime.kernels.MatMulKernels.NR;

import java.util.Arrays;

/**
 * Packing routines of {@link MatMul}: copy a block of op(A) or op(B) into the contiguous layouts that
 * {@link MatMulKernels} reads, transposing on the way when the operand is stored transposed.
 *
 * <ul>
 *   <li>{@link #packA}: rows {@code [i0, i0+mc)} x k-range {@code [pc, pc+kc)} of op(A) as blocks of MR rows;
 *       row {@code r} of the block at {@code ap[(block*MR + r)*KC + kk]}. Rows past {@code mc} are zero.</li>
 *   <li>{@link #packB}: k-range {@code [pc, pc+kc)} x columns {@code [j0, j0+nc)} of op(B) from {@code bpOff} on
 *       ({@link Aligned#PAD} in a scratch buffer, so that every panel row is one aligned line) as panels of at most
 *       NR columns; a panel of width {@code w} is {@code W = ceil(w/L)*L} floats wide, row {@code kk} at
 *       {@code panelStart + kk*W}, padding columns zero. Panels follow each other ({@code kc*W} floats each).</li>
 * </ul>
 * NOTE: padding is zeroed although the kernels never store the padded rows/columns of a tile: stale buffer
 * contents could be denormals, and FMAs on denormal inputs can take microcode assists.
 */
final class MatMulPack {
    private MatMulPack() {
    }

    /** Packs op(A)[i0:i0+mc, pc:pc+kc]; A is [m,k] (or [k,m] if transA). */
    static void packA(MatMul.Scratch s, float[] a, int aOff, boolean transA, int m, int k, int i0, int mc, int pc, int kc,
                      float[] ap) {
        int rowsPadded = MatMul.roundUp(mc, MR);
        if (!transA) {
            for (int r = 0; r < mc; r++) {
                System.arraycopy(a, aOff + (i0 + r) * k + pc, ap, r * KC, kc);
            }
        } else {
            // element (i, kk) at a[aOff + kk*m + i]. Tiles of T k-steps: for each row i, T loads with stride m (from T
            // source lines that the next rows reuse) and T contiguous stores (one line of the packed row), so reads and
            // writes stay in L1. NOTE: the former order (6 rows x all of kc per block) re-read every source line from
            // L2 once per 6-row block.
            // NOTE: a Vector API gather (stride m) was ~20% faster when it compiled well, but C2 sometimes failed to
            // intrinsify it (the compiled loop then boxed every vector), so plain scalar code it is.
            int base = aOff + pc * m + i0;
            int kk0 = 0;
            for (; kk0 + T <= kc; kk0 += T) {
                int r0 = 0;
                if (MatMulTranspose.ENABLED) {
                    for (; r0 + T <= mc; r0 += T) {
                        MatMulTranspose.tile(a, base + kk0 * m + r0, m, ap, r0 * KC + kk0, KC);
                    }
                }
                transposeTile(a, base + kk0 * m + r0, m, mc - r0, ap, r0 * KC + kk0, KC);
            }
            for (; kk0 < kc; kk0++) {
                int src = base + kk0 * m;
                for (int r = 0; r < mc; r++) {
                    ap[r * KC + kk0] = a[src + r];
                }
            }
        }
        for (int r = mc; r < rowsPadded; r++) {
            Arrays.fill(ap, r * KC, r * KC + kc, 0f);
        }
    }

    /** Packs op(B)[pc:pc+kc, j0:j0+nc]; B is [k,n] (or [n,k] if transB). */
    static void packB(MatMul.Scratch s, float[] b, int bOff, boolean transB, int n, int k, int j0, int nc, int pc, int kc,
                      float[] bp, int bpOff) {
        int start = bpOff;
        for (int p = 0; p < nc; p += NR) {
            int w = Math.min(NR, nc - p);
            int wp = MatMul.roundUp(w, L);
            if (!transB) {
                int src = bOff + pc * n + j0 + p;
                for (int kk = 0; kk < kc; kk++, src += n) {
                    int d = start + kk * wp;
                    System.arraycopy(b, src, bp, d, w);
                    for (int x = w; x < wp; x++) {
                        bp[d + x] = 0f;
                    }
                }
            } else {
                // element (kk, j) at b[bOff + j*k + kk]: T stored rows (columns of op(B)) at a time, each read
                // contiguously, written as T adjacent floats of each panel row (see transposeTile); then four, then one.
                int jj = 0;
                for (; jj + T <= w; jj += T) {
                    int src = bOff + (j0 + p + jj) * k + pc;
                    int kk0 = 0;
                    if (MatMulTranspose.ENABLED) {
                        for (; kk0 + T <= kc; kk0 += T) {
                            MatMulTranspose.tile(b, src + kk0, k, bp, start + kk0 * wp + jj, wp);
                        }
                    }
                    transposeTile(b, src + kk0, k, kc - kk0, bp, start + kk0 * wp + jj, wp);
                }
                for (; jj + 4 <= w; jj += 4) {
                    int s0 = bOff + (j0 + p + jj) * k + pc;
                    int s1 = s0 + k;
                    int s2 = s1 + k;
                    int s3 = s2 + k;
                    int d = start + jj;
                    for (int kk = 0; kk < kc; kk++, d += wp) {
                        bp[d] = b[s0 + kk];
                        bp[d + 1] = b[s1 + kk];
                        bp[d + 2] = b[s2 + kk];
                        bp[d + 3] = b[s3 + kk];
                    }
                }
                for (; jj < w; jj++) {
                    int src = bOff + (j0 + p + jj) * k + pc;
                    int d = start + jj;
                    for (int kk = 0; kk < kc; kk++) {
                        bp[d + kk * wp] = b[src + kk];
                    }
                }
                for (int x = w; x < wp; x++) {
                    for (int kk = 0; kk < kc; kk++) {
                        bp[start + x + kk * wp] = 0f;
                    }
                }
            }
            start += kc * wp;
        }
    }

    /** Width of {@link #transposeTile}: one 64-byte line of floats. */
    static final int T = 16;

    /**
     * {@code dst[dOff + r*dStride + t] = src[s0 + r + t*stride]} for r in [0, count), t in [0, T): T source rows
     * (stride {@code stride}) read along r, each r written as T contiguous floats. Used by both transposing packs
     * (A stored [k,m] and B stored [n,k]): per r, T loads from T lines that the next r reuses and one line of
     * stores, so both sides stay in L1 whatever the strides.
     */
    static void transposeTile(float[] src, int s0, int stride, int count, float[] dst, int dOff, int dStride) {
        int s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride, s4 = s3 + stride, s5 = s4 + stride;
        int s6 = s5 + stride, s7 = s6 + stride, s8 = s7 + stride, s9 = s8 + stride, s10 = s9 + stride;
        int s11 = s10 + stride, s12 = s11 + stride, s13 = s12 + stride, s14 = s13 + stride, s15 = s14 + stride;
        for (int r = 0; r < count; r++) {
            int d = dOff + r * dStride;
            dst[d] = src[s0 + r];
            dst[d + 1] = src[s1 + r];
            dst[d + 2] = src[s2 + r];
            dst[d + 3] = src[s3 + r];
            dst[d + 4] = src[s4 + r];
            dst[d + 5] = src[s5 + r];
            dst[d + 6] = src[s6 + r];
            dst[d + 7] = src[s7 + r];
            dst[d + 8] = src[s8 + r];
            dst[d + 9] = src[s9 + r];
            dst[d + 10] = src[s10 + r];
            dst[d + 11] = src[s11 + r];
            dst[d + 12] = src[s12 + r];
            dst[d + 13] = src[s13 + r];
            dst[d + 14] = src[s14 + r];
            dst[d + 15] = src[s15 + r];
        }
    }
}
