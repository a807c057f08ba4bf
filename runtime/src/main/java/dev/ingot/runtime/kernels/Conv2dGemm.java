package dev.ingot.runtime.kernels;

import java.util.Arrays;

/**
 * The GEMM formulation of the convolution, one image at a time (per group {@code g}; {@code K = cg*kh*kw},
 * {@code P = oh*ow}; {@code W_g} is the {@code [ocg][K]} slice of the OIHW weights, already a row-major matrix):
 * <pre>
 *   forward          y_g[ocg][P]   = W_g @ col                          (col = im2col(x_g), [K][P])
 *   backwardInput    dcol[K][P]    = W_g^T @ dy_g ;  dx_g = col2im(dcol)
 *   backwardWeight   dW_g^T[K][ocg] += col @ dy_g^T                     (accumulated over the images)
 * </pre>
 * A 1x1 convolution with stride 1 and no padding needs no im2col: the input plane set {@code x_g} already is
 * {@code col} (and {@code dx_g} is {@code dcol}).
 *
 * <p>{@code vector} selects {@link MatMul#matmul} (Vector API; called from inside a parallel region it runs on the
 * calling thread, which is what a per-image split wants) or {@link MatMulScalar#matmul} (the scalar path).
 */
final class Conv2dGemm {
    private Conv2dGemm() {
    }

    /** True when im2col is the identity: a 1x1 kernel, stride 1, no padding. */
    static boolean pointwise(Conv2dShape s) {
        return s.kh() == 1 && s.kw() == 1 && s.strideH() == 1 && s.strideW() == 1 && s.padTop() == 0
                && s.padLeft() == 0 && s.padBottom() == 0 && s.padRight() == 0;
    }

    static void gemm(boolean vector, float[] a, int aOff, boolean transA, float[] b, int bOff, boolean transB,
                     float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        if (vector) {
            MatMul.matmul(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate);
        } else {
            MatMulScalar.matmul(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate);
        }
    }

    /** Forward pass of image {@code n}. */
    static void forward(Conv2dScratch sc, boolean vector, float[] x, int xOff, float[] w, int wOff,
                        float[] y, int yOff, Conv2dShape s, int n) {
        int cg = s.cg(), ocg = s.ocg(), ckk = s.ckk(), hw = s.h() * s.w(), p = s.oh() * s.ow();
        boolean pw = pointwise(s);
        float[] col = pw ? null : sc.col(ckk * p);
        for (int g = 0; g < s.groups(); g++) {
            int xg = xOff + n * s.inSize() + g * cg * hw;
            int yg = yOff + n * s.outSize() + g * ocg * p;
            int wg = wOff + g * ocg * ckk;
            if (pw) {
                gemm(vector, w, wg, false, x, xg, false, y, yg, ocg, p, ckk, false);
            } else {
                Conv2dIm2col.im2col(x, xg, s, col, 0);
                gemm(vector, w, wg, false, col, 0, false, y, yg, ocg, p, ckk, false);
            }
        }
    }

    /** Input gradient of image {@code n} (overwrites its part of dx). */
    static void backwardInput(Conv2dScratch sc, boolean vector, float[] dy, int dyOff, float[] w, int wOff,
                              float[] dx, int dxOff, Conv2dShape s, int n) {
        int cg = s.cg(), ocg = s.ocg(), ckk = s.ckk(), hw = s.h() * s.w(), p = s.oh() * s.ow();
        boolean pw = pointwise(s);
        float[] col = pw ? null : sc.col(ckk * p);
        for (int g = 0; g < s.groups(); g++) {
            int dxg = dxOff + n * s.inSize() + g * cg * hw;
            int dyg = dyOff + n * s.outSize() + g * ocg * p;
            int wg = wOff + g * ocg * ckk;
            if (pw) {
                gemm(vector, w, wg, true, dy, dyg, false, dx, dxg, ckk, p, ocg, false);
            } else {
                gemm(vector, w, wg, true, dy, dyg, false, col, 0, ckk, p, ocg, false);
                Arrays.fill(dx, dxg, dxg + cg * hw, 0f);
                Conv2dIm2col.col2im(col, 0, s, dx, dxg);
            }
        }
    }

    /**
     * Transposed weight gradient of images {@code [n0, n1)}: {@code dwT[g][K][ocg] (+)= col @ dy_g^T} (overwritten
     * by the first image unless {@code accumulate}). NOTE: computing {@code dW^T = col @ dy^T} instead of
     * {@code dW = dy @ col^T} lets the SGEMM pack the big operand (col, [K][P]) untransposed and transpose only the
     * small one (dy_g, [ocg][P]); measured 13.1 ms instead of 18.6 ms for the cnn workload's second convolution at
     * batch 64 on one core. {@link #untranspose} turns the sum into OIHW.
     */
    static void backwardWeightT(Conv2dScratch sc, boolean vector, float[] x, int xOff, float[] dy, int dyOff,
                                float[] dwT, int dwTOff, Conv2dShape s, int n0, int n1, boolean accumulate) {
        int cg = s.cg(), ocg = s.ocg(), ckk = s.ckk(), hw = s.h() * s.w(), p = s.oh() * s.ow();
        if (n0 >= n1) {
            if (!accumulate) {
                Arrays.fill(dwT, dwTOff, dwTOff + s.weightSize(), 0f);
            }
            return;
        }
        boolean pw = pointwise(s);
        float[] col = pw ? null : sc.col(ckk * p);
        for (int n = n0; n < n1; n++) {
            boolean acc = accumulate || n > n0;
            for (int g = 0; g < s.groups(); g++) {
                int xg = xOff + n * s.inSize() + g * cg * hw;
                int dyg = dyOff + n * s.outSize() + g * ocg * p;
                int dwg = dwTOff + g * ocg * ckk;
                if (pw) {
                    gemm(vector, x, xg, false, dy, dyg, true, dwT, dwg, ckk, ocg, p, acc);
                } else {
                    Conv2dIm2col.im2col(x, xg, s, col, 0);
                    gemm(vector, col, 0, false, dy, dyg, true, dwT, dwg, ckk, ocg, p, acc);
                }
            }
        }
    }

    /** {@code dw[g][o][r] = sum over the first count partials of dwT[g][r][o]} (overwrites dw). */
    static void untranspose(float[][] partials, int count, float[] dw, int dwOff, Conv2dShape s) {
        int ocg = s.ocg(), ckk = s.ckk();
        for (int g = 0; g < s.groups(); g++) {
            int base = g * ocg * ckk;
            for (int o = 0; o < ocg; o++) {
                int d = dwOff + base + o * ckk;
                for (int r = 0; r < ckk; r++) {
                    int i = base + r * ocg + o;
                    float sum = partials[0][i];
                    for (int u = 1; u < count; u++) {
                        sum += partials[u][i];
                    }
                    dw[d + r] = sum;
                }
            }
        }
    }
}
