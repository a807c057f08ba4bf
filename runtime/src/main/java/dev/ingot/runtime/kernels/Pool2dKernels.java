package dev.ingot.runtime.kernels;

/**
 * One-plane kernels of {@link Pool2d} ({@code x} plane at {@code xi}, {@code h x w}; output plane at {@code yi}).
 *
 * <p>Max semantics are PyTorch's: a window is scanned in row-major order from a running maximum of -inf, and an
 * element replaces it when {@code v > max || isNaN(v)}. So the first of equal maxima wins, NaN propagates, and a
 * window of -inf values selects its first element.
 *
 * <p>The scalar 2x2 stride-2 max uses {@link Math#max} (branch-free; it may pick the other zero of a {-0.0, 0.0}
 * tie: equal values, only the sign of a zero can differ); its gradient finds the first element equal to the max
 * with integer masks. A PyTorch-style if-chain per element was mispredicted half the time on random data (16 ns
 * per output). The vector versions are in {@link Pool2dMax2x2}.
 */
final class Pool2dKernels {
    private Pool2dKernels() {
    }

    // ---- max ----------------------------------------------------------------------------------------------------

    /** General max pooling of one plane. */
    static void maxPlane(float[] x, int xi, float[] y, int yi, Pool2dShape s) {
        int h = s.h(), w = s.w(), oh = s.oh(), ow = s.ow();
        for (int oy = 0; oy < oh; oy++) {
            int y0 = oy * s.strideH() - s.padTop();
            int ys = Math.max(y0, 0), ye = Math.min(y0 + s.kh(), h);
            for (int ox = 0; ox < ow; ox++) {
                int x0 = ox * s.strideW() - s.padLeft();
                int xs = Math.max(x0, 0), xe = Math.min(x0 + s.kw(), w);
                float m = Float.NEGATIVE_INFINITY;
                for (int iy = ys; iy < ye; iy++) {
                    int r = xi + iy * w;
                    for (int ix = xs; ix < xe; ix++) {
                        float v = x[r + ix];
                        if (v > m || v != v) {
                            m = v;
                        }
                    }
                }
                y[yi + oy * ow + ox] = m;
            }
        }
    }

    /** General max-pooling gradient of one plane: dx cleared, then each window's dy added at its argmax. */
    static void maxBackPlane(float[] x, int xi, float[] dy, int di, float[] dx, int dxi, Pool2dShape s) {
        int h = s.h(), w = s.w(), oh = s.oh(), ow = s.ow();
        java.util.Arrays.fill(dx, dxi, dxi + h * w, 0f);
        for (int oy = 0; oy < oh; oy++) {
            int y0 = oy * s.strideH() - s.padTop();
            int ys = Math.max(y0, 0), ye = Math.min(y0 + s.kh(), h);
            for (int ox = 0; ox < ow; ox++) {
                int x0 = ox * s.strideW() - s.padLeft();
                int xs = Math.max(x0, 0), xe = Math.min(x0 + s.kw(), w);
                float m = Float.NEGATIVE_INFINITY;
                int arg = ys * w + xs;
                for (int iy = ys; iy < ye; iy++) {
                    int r = iy * w;
                    for (int ix = xs; ix < xe; ix++) {
                        float v = x[xi + r + ix];
                        if (v > m || v != v) {
                            m = v;
                            arg = r + ix;
                        }
                    }
                }
                dx[dxi + arg] += dy[di + oy * ow + ox];
            }
        }
    }

    /** 2x2 stride-2 max pooling of one plane, scalar (see {@link Pool2dMax2x2} for the vector version). */
    static void max2x2(float[] x, int xi, float[] y, int yi, int h, int w) {
        int oh = h / 2, ow = w / 2;
        for (int oy = 0; oy < oh; oy++) {
            // NOTE: Math.max is branch-free (and propagates NaN, as PyTorch does); an if per element was
            // mispredicted half the time on random data (16 ns per output).
            max2x2Scalar(x, xi + 2 * oy * w, xi + (2 * oy + 1) * w, y, yi + oy * ow, ow);
        }
    }

    /** {@code n} outputs of the 2x2 max from rows at {@code a} and {@code b} (exact PyTorch NaN semantics). */
    static void max2x2Scalar(float[] x, int a, int b, float[] y, int yo, int n) {
        for (int o = 0; o < n; o++) {
            int i = 2 * o;
            y[yo + o] = Math.max(Math.max(x[a + i], x[a + i + 1]), Math.max(x[b + i], x[b + i + 1]));
        }
    }

    /**
     * 2x2 stride-2 max-pooling gradient of one plane, scalar: every input element is written (dy at the window's
     * argmax, 0 elsewhere, 0 in a last odd row or column that no window covers), so dx needs no separate clearing.
     */
    static void maxBack2x2(float[] x, int xi, float[] dy, int di, float[] dx, int dxi, int h, int w) {
        int oh = h / 2, ow = w / 2;
        for (int oy = 0; oy < oh; oy++) {
            int r0 = 2 * oy * w, r1 = r0 + w, dr = di + oy * ow;
            for (int ox = 0; ox < ow; ox++) {
                maxBack2x2Scalar(x, xi + r0 + 2 * ox, xi + r1 + 2 * ox, dy[dr + ox], dx, dxi + r0 + 2 * ox,
                        dxi + r1 + 2 * ox);
            }
            if ((w & 1) != 0) {
                dx[dxi + r0 + w - 1] = 0f;
                dx[dxi + r1 + w - 1] = 0f;
            }
        }
        if ((h & 1) != 0) {
            java.util.Arrays.fill(dx, dxi + (h - 1) * w, dxi + h * w, 0f);
        }
    }

    /**
     * One window of the 2x2 gradient (rows at {@code a} and {@code b} of x, of dx at {@code da} and {@code db}). NOTE: the max by {@link Math#max}, then the first element equal to it, as
     * integer masks: no branch on the data (random data mispredicted the PyTorch-style if-chain half the time,
     * 20 ns per window). A NaN maximum takes the exact if-chain (PyTorch picks the last NaN).
     */
    static void maxBack2x2Scalar(float[] x, int a, int b, float g, float[] dx, int da, int db) {
        float x0 = x[a], x1 = x[a + 1], x2 = x[b], x3 = x[b + 1];
        float m = Math.max(Math.max(x0, x1), Math.max(x2, x3));
        if (m != m) {
            int k = 0;
            m = x0;
            if (x1 > m || x1 != x1) {
                m = x1;
                k = 1;
            }
            if (x2 > m || x2 != x2) {
                m = x2;
                k = 2;
            }
            if (x3 > m || x3 != x3) {
                k = 3;
            }
            dx[da] = k == 0 ? g : 0f;
            dx[da + 1] = k == 1 ? g : 0f;
            dx[db] = k == 2 ? g : 0f;
            dx[db + 1] = k == 3 ? g : 0f;
            return;
        }
        int gi = Float.floatToRawIntBits(g);
        int e0 = x0 == m ? -1 : 0;
        int e1 = (x1 == m ? -1 : 0) & ~e0;
        int e2 = (x2 == m ? -1 : 0) & ~(e0 | e1);
        int e3 = ~(e0 | e1 | e2);
        dx[da] = Float.intBitsToFloat(gi & e0);
        dx[da + 1] = Float.intBitsToFloat(gi & e1);
        dx[db] = Float.intBitsToFloat(gi & e2);
        dx[db + 1] = Float.intBitsToFloat(gi & e3);
    }

    // ---- average (count_include_pad=true: the divisor is always kh*kw) ----------------------------------------

    /** Average pooling of one plane. */
    static void avgPlane(float[] x, int xi, float[] y, int yi, Pool2dShape s) {
        int h = s.h(), w = s.w(), oh = s.oh(), ow = s.ow();
        float inv = 1f / (s.kh() * s.kw());
        for (int oy = 0; oy < oh; oy++) {
            int y0 = oy * s.strideH() - s.padTop();
            int ys = Math.max(y0, 0), ye = Math.min(y0 + s.kh(), h);
            for (int ox = 0; ox < ow; ox++) {
                int x0 = ox * s.strideW() - s.padLeft();
                int xs = Math.max(x0, 0), xe = Math.min(x0 + s.kw(), w);
                float sum = 0f;
                for (int iy = ys; iy < ye; iy++) {
                    int r = xi + iy * w;
                    for (int ix = xs; ix < xe; ix++) {
                        sum += x[r + ix];
                    }
                }
                y[yi + oy * ow + ox] = sum * inv;
            }
        }
    }

    /** Average-pooling gradient of one plane: dx cleared, then {@code dy / (kh*kw)} added over each window. */
    static void avgBackPlane(float[] dy, int di, float[] dx, int dxi, Pool2dShape s) {
        int h = s.h(), w = s.w(), oh = s.oh(), ow = s.ow();
        float inv = 1f / (s.kh() * s.kw());
        java.util.Arrays.fill(dx, dxi, dxi + h * w, 0f);
        for (int oy = 0; oy < oh; oy++) {
            int y0 = oy * s.strideH() - s.padTop();
            int ys = Math.max(y0, 0), ye = Math.min(y0 + s.kh(), h);
            for (int ox = 0; ox < ow; ox++) {
                int x0 = ox * s.strideW() - s.padLeft();
                int xs = Math.max(x0, 0), xe = Math.min(x0 + s.kw(), w);
                float g = dy[di + oy * ow + ox] * inv;
                for (int iy = ys; iy < ye; iy++) {
                    int r = dxi + iy * w;
                    for (int ix = xs; ix < xe; ix++) {
                        dx[r + ix] += g;
                    }
                }
            }
        }
    }
}
