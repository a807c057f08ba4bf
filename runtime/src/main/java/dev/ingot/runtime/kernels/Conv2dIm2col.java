package dev.ingot.runtime.kernels;

import java.util.Arrays;

/**
 * Layout transformations of the convolution kernels (plain Java; used by the vector and the scalar paths).
 *
 * <ul>
 *   <li>{@link #im2col}: one image's group of channels {@code x[cg][h][w]} to the column matrix
 *       {@code col[cg*kh*kw][oh*ow]}, row {@code (ci*kh + ky)*kw + kx}, column {@code oy*ow + ox}, holding
 *       {@code x[ci][oy*strideH + ky*dilationH - padTop][ox*strideW + kx*dilationW - padLeft]} or 0 in the
 *       padding. The forward convolution is then the GEMM {@code W[ocg][cg*kh*kw] @ col}.</li>
 *   <li>{@link #col2im}: the adjoint, scatter-adding a column matrix back into {@code dx[cg][h][w]}.</li>
 *   <li>{@link #padCopy}: copies planes into a zero-padded (or cropped) frame, for the direct kernels.</li>
 * </ul>
 * For each (row, output row) the valid output columns form one interval, computed once; with stride 1 the
 * interval is copied with whole vectors ({@link Conv2dKernels#copyRow}; {@code System.arraycopy}'s call overhead
 * dominated on rows of ~24 floats) or added likewise ({@link Conv2dKernels#addRow}, col2im).
 */
final class Conv2dIm2col {
    private Conv2dIm2col() {
    }

    /** im2col of channels {@code x[xOff ..]} ({@code cg} channels) into {@code col[colOff ..]}; see the class doc. */
    static void im2col(float[] x, int xOff, Conv2dShape s, float[] col, int colOff) {
        int h = s.h(), w = s.w(), oh = s.oh(), ow = s.ow(), ohw = oh * ow;
        int kh = s.kh(), kw = s.kw(), sh = s.strideH(), sw = s.strideW(), dh = s.dilationH(), dw = s.dilationW();
        int pt = s.padTop(), pl = s.padLeft(), cg = s.cg();
        int r = colOff;
        for (int ci = 0; ci < cg; ci++) {
            int plane = xOff + ci * h * w;
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++, r += ohw) {
                    int shift = kx * dw - pl;
                    int lo = firstValid(shift, sw, ow);
                    int hi = endValid(shift, sw, w, ow);
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * sh + ky * dh - pt;
                        int ci0 = r + oy * ow;
                        if (iy < 0 || iy >= h || lo >= hi) {
                            Conv2dKernels.zero(col, ci0, ow);
                            continue;
                        }
                        int src = plane + iy * w + shift;
                        for (int ox = 0; ox < lo; ox++) {
                            col[ci0 + ox] = 0f;
                        }
                        if (sw == 1) {
                            Conv2dKernels.copyRow(x, src + lo, col, ci0 + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                col[ci0 + ox] = x[src + ox * sw];
                            }
                        }
                        for (int ox = hi; ox < ow; ox++) {
                            col[ci0 + ox] = 0f;
                        }
                    }
                }
            }
        }
    }

    /** col2im: {@code dx[..] += col} (the adjoint of {@link #im2col}); dx must be cleared by the caller. */
    static void col2im(float[] col, int colOff, Conv2dShape s, float[] dx, int dxOff) {
        int h = s.h(), w = s.w(), oh = s.oh(), ow = s.ow(), ohw = oh * ow;
        int kh = s.kh(), kw = s.kw(), sh = s.strideH(), sw = s.strideW(), dh = s.dilationH(), dw = s.dilationW();
        int pt = s.padTop(), pl = s.padLeft(), cg = s.cg();
        int r = colOff;
        for (int ci = 0; ci < cg; ci++) {
            int plane = dxOff + ci * h * w;
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++, r += ohw) {
                    int shift = kx * dw - pl;
                    int lo = firstValid(shift, sw, ow);
                    int hi = endValid(shift, sw, w, ow);
                    if (lo >= hi) {
                        continue;
                    }
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * sh + ky * dh - pt;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int dst = plane + iy * w + shift;
                        int src = r + oy * ow;
                        if (sw == 1) {
                            Conv2dKernels.addRow(col, src + lo, dx, dst + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                dx[dst + ox * sw] += col[src + ox];
                            }
                        }
                    }
                }
            }
        }
    }

    /** Smallest ox >= 0 with {@code ox*stride + shift >= 0}, capped at {@code ow}. */
    static int firstValid(int shift, int stride, int ow) {
        if (shift >= 0) {
            return 0;
        }
        return Math.min(ow, (-shift + stride - 1) / stride);
    }

    /** One past the largest ox < ow with {@code ox*stride + shift < w} (at least 0). */
    static int endValid(int shift, int stride, int w, int ow) {
        int limit = w - shift; // need ox*stride < limit
        if (limit <= 0) {
            return 0;
        }
        return Math.min(ow, (limit + stride - 1) / stride);
    }

    /**
     * Copies {@code channels} planes {@code src[ch][srcH][srcW]} into frames {@code dst[dstOff + ch*ps]} of
     * {@code hp x wp} floats: {@code dst[ch][r][q] = src[ch][r - top][q - left]} where that is inside the source,
     * else 0. {@code top}/{@code left} may be negative (the source is cropped). Also zeroes {@code [hp*wp, ps)} of
     * every plane ({@code ps >= hp*wp}).
     */
    static void padCopy(float[] src, int srcOff, int channels, int srcH, int srcW,
                        float[] dst, int dstOff, int ps, int hp, int wp, int top, int left) {
        int q0 = Math.max(0, left);
        int q1 = Math.min(wp, srcW + left);
        for (int ch = 0; ch < channels; ch++) {
            int sp = srcOff + ch * srcH * srcW;
            int dp = dstOff + ch * ps;
            int r0 = Math.max(0, Math.min(hp, top));
            int r1 = Math.max(r0, Math.min(hp, srcH + top));
            if (q0 >= q1) {
                r1 = r0;
            }
            Conv2dKernels.zero(dst, dp, r0 * wp);
            for (int r = r0; r < r1; r++) {
                int d = dp + r * wp;
                for (int q = 0; q < q0; q++) {
                    dst[d + q] = 0f;
                }
                Conv2dKernels.copyRow(src, sp + (r - top) * srcW + q0 - left, dst, d + q0, q1 - q0);
                for (int q = q1; q < wp; q++) {
                    dst[d + q] = 0f;
                }
            }
            Conv2dKernels.zero(dst, dp + r1 * wp, (hp - r1) * wp);
            Conv2dKernels.zero(dst, dp + hp * wp, ps - hp * wp);
        }
    }
}
