package dev.ingot.runtime.kernels;

import static dev.ingot.runtime.kernels.Conv2dKernels.L;
import static dev.ingot.runtime.kernels.Conv2dKernels.PIX;

import java.util.Arrays;

/**
 * The direct (im2col-free) convolution for stride 1, built on the wide-row kernels of {@link Conv2dKernels}.
 *
 * <h2>Forward</h2>
 * Per image and group: copy the group's {@code cg} input planes into zero-padded frames of
 * {@code hp x wp = (h + padTop + padBottom) x (w + padLeft + padRight)} floats, then for each block of 4 output
 * channels run {@link Conv2dKernels#direct4} over the wide output ({@code (oh - 1) * wp + ow} pixels, rounded up to
 * whole 4-vector blocks) and copy the {@code ow} valid columns of each wide row into y.
 *
 * <h2>Backward input: a transposed convolution</h2>
 * With stride 1, {@code dx} is the valid convolution of {@code dy} padded by {@code dilation*(k-1) - pad} on the
 * leading side (and {@code dilation*(k-1) - padTrailing} on the trailing side), with the kernel flipped in both
 * spatial axes and its channel axes swapped: {@code w'[ci][o][ky][kx] = w[o][ci][kh-1-ky][kw-1-kx]}. A negative
 * "padding" (a convolution padded by more than its dilated kernel) crops dy. The same driver then runs with
 * {@code ocg} input and {@code cg} output channels.
 *
 * <h2>Backward weight</h2>
 * {@code dW[o][t] = sum over images and pixels of dy[o][p] * xpad[tap_t + p]}: the output gradient is copied into
 * the wide layout (zeros in the garbage columns, so they contribute nothing) and
 * {@link Conv2dKernels#weightGrad4x3} takes 12 dot products at a time. Output channels are padded to a multiple
 * of 4 with zero planes and taps to a multiple of 3 with a dummy offset; the extra results are never read.
 *
 * <h2>Packed weights</h2>
 * Per group, for output channels in blocks of 4: {@code [tap][4]} (one 4-float broadcast group per tap); the
 * channels past the last full block: {@code [tap]} each. Channel {@code o} of the group starts at {@code o * nt}
 * either way. Built once per call by the calling thread, before the parallel region.
 */
final class Conv2dDirect {
    private Conv2dDirect() {
    }

    /** Whether the direct kernels handle {@code s} (stride 1 in both axes). */
    static boolean supports(Conv2dShape s) {
        return s.strideH() == 1 && s.strideW() == 1;
    }

    // ---- weight packing ---------------------------------------------------------------------------------------

    /** Packs the forward weights ({@code groups x ocg x ckk} floats into {@code dst}). */
    static void packForward(float[] w, int wOff, Conv2dShape s, float[] dst) {
        int ocg = s.ocg(), nt = s.ckk();
        for (int g = 0; g < s.groups(); g++) {
            int base = g * ocg * nt;
            int full = ocg / 4 * 4;
            for (int o = 0; o < ocg; o++) {
                int src = wOff + (g * ocg + o) * nt;
                if (o < full) {
                    int blk = base + (o & ~3) * nt + (o & 3);
                    for (int t = 0; t < nt; t++) {
                        dst[blk + 4 * t] = w[src + t];
                    }
                } else {
                    System.arraycopy(w, src, dst, base + o * nt, nt);
                }
            }
        }
    }

    /** Packs the flipped, channel-transposed weights of the transposed convolution ({@code groups x cg x ocg*kh*kw}). */
    static void packTransposed(float[] w, int wOff, Conv2dShape s, float[] dst) {
        int ocg = s.ocg(), cg = s.cg(), kh = s.kh(), kw = s.kw(), kk = kh * kw, nt = ocg * kk;
        for (int g = 0; g < s.groups(); g++) {
            int base = g * cg * nt;
            int full = cg / 4 * 4;
            for (int ci = 0; ci < cg; ci++) {
                int blk = ci < full ? base + (ci & ~3) * nt + (ci & 3) : base + ci * nt;
                int step = ci < full ? 4 : 1;
                for (int o = 0; o < ocg; o++) {
                    int src = wOff + ((g * ocg + o) * cg + ci) * kk;
                    for (int k = 0; k < kk; k++) {
                        // tap (o, ky', kx') with ky'*kw + kx' = k reads w[.., kh-1-ky', kw-1-kx'] = src[kk-1-k]
                        dst[blk + step * (o * kk + k)] = w[src + kk - 1 - k];
                    }
                }
            }
        }
    }

    /** Tap offsets of {@code channels} planes of stride {@code ps}, rows of {@code wp}: {@code (c, ky, kx)}. */
    static void taps(int[] taps, int channels, int ps, int wp, int kh, int kw, int dh, int dw) {
        int t = 0;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    taps[t++] = c * ps + ky * dh * wp + kx * dw;
                }
            }
        }
    }

    /** Wide pixel count of an {@code outH x outW} output in rows of {@code wp}, rounded up to {@code unit}. */
    static int widePixels(int outH, int outW, int wp, int unit) {
        return MatMul.roundUp((outH - 1) * wp + outW, unit);
    }

    // ---- forward and transposed drivers -----------------------------------------------------------------------

    /**
     * Output channels {@code [o0, o1)} (o0 a multiple of 4) of a valid stride-1 convolution of the padded planes in
     * {@code xp} into {@code outH x outW} planes of {@code y} starting at {@code yOff}.
     */
    static void convolve(Conv2dScratch sc, float[] xp, int[] taps, int nt, float[] wpk, int wg, int outPer,
                         int o0, int o1, int wp, int outH, int outW, float[] y, int yOff) {
        int npix = widePixels(outH, outW, wp, PIX);
        int full = outPer / 4 * 4;
        int plane = outH * outW;
        float[] buf = sc.out(4 * npix);
        int o = o0;
        for (; o + 4 <= Math.min(o1, full); o += 4) {
            Conv2dKernels.direct4(xp, 0, taps, nt, wpk, wg + o * nt, buf, 0, npix, npix);
            for (int j = 0; j < 4; j++) {
                copyOut(buf, j * npix, wp, y, yOff + (o + j) * plane, outH, outW);
            }
        }
        for (; o < o1; o++) {
            Conv2dKernels.direct1(xp, 0, taps, nt, wpk, wg + o * nt, buf, 0, npix);
            copyOut(buf, 0, wp, y, yOff + o * plane, outH, outW);
        }
    }

    private static void copyOut(float[] buf, int b0, int wp, float[] y, int y0, int outH, int outW) {
        for (int r = 0; r < outH; r++) {
            Conv2dKernels.copyRow(buf, b0 + r * wp, y, y0 + r * outW, outW);
        }
    }

    /** Size of the padded-input buffer: {@code channels} planes of {@code ps} + zero slack for the rounded pixels. */
    static int inSize(int channels, int ps, int outH, int outW, int wp, int unit) {
        return channels * ps + widePixels(outH, outW, wp, unit) - ((outH - 1) * wp + outW);
    }

    /** Forward, image {@code n}, group {@code g}, output channels {@code [o0, o1)} of the group. */
    static void forward(Conv2dScratch sc, float[] x, int xOff, float[] wpk, int[] taps, float[] y, int yOff,
                        Conv2dShape s, int n, int g, int o0, int o1) {
        int cg = s.cg(), h = s.h(), w = s.w(), oh = s.oh(), ow = s.ow();
        int hp = h + s.padTop() + s.padBottom(), wp = w + s.padLeft() + s.padRight(), ps = hp * wp;
        int size = inSize(cg, ps, oh, ow, wp, PIX);
        float[] xp = sc.in(size);
        Conv2dIm2col.padCopy(x, xOff + n * s.inSize() + g * cg * h * w, cg, h, w, xp, 0, ps, hp, wp,
                s.padTop(), s.padLeft());
        Arrays.fill(xp, cg * ps, size, 0f);
        convolve(sc, xp, taps, s.ckk(), wpk, g * s.ocg() * s.ckk(), s.ocg(), o0, o1, wp, oh, ow,
                y, yOff + n * s.outSize() + g * s.ocg() * oh * ow);
    }

    /** Frame of the transposed convolution: {@code {hq, wq, top, left}}. */
    static int hq(Conv2dShape s) {
        return s.h() + s.dilationH() * (s.kh() - 1);
    }

    static int wq(Conv2dShape s) {
        return s.w() + s.dilationW() * (s.kw() - 1);
    }

    /** Backward input, image {@code n}, group {@code g}, input channels {@code [c0, c1)} of the group. */
    static void backwardInput(Conv2dScratch sc, float[] dy, int dyOff, float[] wpk, int[] taps, float[] dx,
                              int dxOff, Conv2dShape s, int n, int g, int c0, int c1) {
        int cg = s.cg(), ocg = s.ocg(), h = s.h(), w = s.w(), oh = s.oh(), ow = s.ow();
        int hq = hq(s), wq = wq(s), ps = hq * wq;
        int top = s.dilationH() * (s.kh() - 1) - s.padTop();
        int left = s.dilationW() * (s.kw() - 1) - s.padLeft();
        int nt = ocg * s.kh() * s.kw();
        int size = inSize(ocg, ps, h, w, wq, PIX);
        float[] dyp = sc.in(size);
        Conv2dIm2col.padCopy(dy, dyOff + n * s.outSize() + g * ocg * oh * ow, ocg, oh, ow, dyp, 0, ps, hq, wq,
                top, left);
        Arrays.fill(dyp, ocg * ps, size, 0f);
        convolve(sc, dyp, taps, nt, wpk, g * cg * nt, cg, c0, c1, wq, h, w, dx, dxOff + n * s.inSize() + g * cg * h * w);
    }

    // ---- weight gradient --------------------------------------------------------------------------------------

    /** Output channels of a group rounded up to the 4 of the kernel. */
    static int ocPad(Conv2dShape s) {
        return MatMul.roundUp(s.ocg(), 4);
    }

    /** Taps rounded up to the 3 of the kernel. */
    static int tapPad(Conv2dShape s) {
        return MatMul.roundUp(s.ckk(), 3);
    }

    /** Floats of one partial weight-gradient buffer: {@code [groups][ocPad/4][tapPad/3][12][L]}. */
    static int partialSize(Conv2dShape s) {
        return s.groups() * ocPad(s) * tapPad(s) * L;
    }

    /**
     * Adds the weight gradient of the (image, group) pairs {@code [u0, u1)} (pair {@code u} is image
     * {@code u / groups}, group {@code u % groups}) to the lane-wise partial {@code acc} ({@link #partialSize}).
     * {@code taps} has {@link #tapPad} entries (the padding ones 0).
     */
    static void weightGrad(Conv2dScratch sc, float[] x, int xOff, float[] dy, int dyOff, int[] taps, float[] acc,
                           Conv2dShape s, int u0, int u1) {
        int cg = s.cg(), ocg = s.ocg(), h = s.h(), w = s.w(), oh = s.oh(), ow = s.ow();
        int hp = h + s.padTop() + s.padBottom(), wp = w + s.padLeft() + s.padRight(), ps = hp * wp;
        int npix = widePixels(oh, ow, wp, L);
        int size = inSize(cg, ps, oh, ow, wp, L);
        int dps = MatMul.roundUp(oh * wp, L);
        int ocp = ocPad(s), ntb = tapPad(s) / 3, nob = ocp / 4;
        float[] xp = sc.in(size);
        float[] dyw = sc.grad(ocp * dps);
        for (int u = u0; u < u1; u++) {
            int n = u / s.groups(), g = u % s.groups();
            Conv2dIm2col.padCopy(x, xOff + n * s.inSize() + g * cg * h * w, cg, h, w, xp, 0, ps, hp, wp,
                    s.padTop(), s.padLeft());
            Arrays.fill(xp, cg * ps, size, 0f);
            Conv2dIm2col.padCopy(dy, dyOff + n * s.outSize() + g * ocg * oh * ow, ocg, oh, ow, dyw, 0, dps, oh, wp,
                    0, 0);
            Arrays.fill(dyw, ocg * dps, ocp * dps, 0f);
            int a = g * nob * ntb * 12 * L;
            for (int ob = 0; ob < nob; ob++) {
                for (int tb = 0; tb < ntb; tb++, a += 12 * L) {
                    Conv2dKernels.weightGrad4x3(dyw, ob * 4 * dps, dps, xp, 0, taps[3 * tb], taps[3 * tb + 1],
                            taps[3 * tb + 2], npix, acc, a);
                }
            }
        }
    }

    /** {@code dw = sum over the partials of the lane sums} (overwrites dw). */
    static void reduceWeightGrad(float[][] partials, int count, float[] dw, int dwOff, Conv2dShape s) {
        int ocg = s.ocg(), nt = s.ckk(), ntb = tapPad(s) / 3, nob = ocPad(s) / 4;
        for (int g = 0; g < s.groups(); g++) {
            for (int o = 0; o < ocg; o++) {
                for (int t = 0; t < nt; t++) {
                    int i = (((g * nob + o / 4) * ntb + t / 3) * 12 + (o % 4) * 3 + t % 3) * L;
                    float sum = 0f;
                    for (int p = 0; p < count; p++) {
                        sum += Conv2dKernels.sumLanes(partials[p], i);
                    }
                    dw[dwOff + (g * ocg + o) * nt + t] = sum;
                }
            }
        }
    }
}
