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
 *   <li>{@link #packB}: k-range {@code [pc, pc+kc)} x columns {@code [j0, j0+nc)} of op(B) as panels of at most
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
            // element (i, kk) at a[aOff + kk*m + i]: for each kk, MR consecutive source floats go to MR rows.
            // NOTE: a Vector API gather (stride m) was ~20% faster when it compiled well, but C2 sometimes failed to
            // intrinsify it (the compiled loop then boxed every vector), so plain scalar code it is.
            for (int r0 = 0; r0 < mc; r0 += MR) {
                int rows = Math.min(MR, mc - r0);
                int dst = r0 * KC;
                int src = aOff + pc * m + i0 + r0;
                if (rows == MR) {
                    for (int kk = 0; kk < kc; kk++, src += m) {
                        int d = dst + kk;
                        ap[d] = a[src];
                        ap[d + KC] = a[src + 1];
                        ap[d + 2 * KC] = a[src + 2];
                        ap[d + 3 * KC] = a[src + 3];
                        ap[d + 4 * KC] = a[src + 4];
                        ap[d + 5 * KC] = a[src + 5];
                    }
                } else {
                    for (int kk = 0; kk < kc; kk++, src += m) {
                        for (int r = 0; r < rows; r++) {
                            ap[dst + r * KC + kk] = a[src + r];
                        }
                    }
                }
            }
        }
        for (int r = mc; r < rowsPadded; r++) {
            Arrays.fill(ap, r * KC, r * KC + kc, 0f);
        }
    }

    /** Packs op(B)[pc:pc+kc, j0:j0+nc]; B is [k,n] (or [n,k] if transB). */
    static void packB(MatMul.Scratch s, float[] b, int bOff, boolean transB, int n, int k, int j0, int nc, int pc, int kc,
                      float[] bp) {
        int start = 0;
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
                // element (kk, j) at b[bOff + j*k + kk]: four stored rows (columns of op(B)) at a time, each read
                // contiguously, written as four adjacent floats of each panel row.
                int jj = 0;
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
}
