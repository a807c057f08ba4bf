package dev.ingot.runtime.kernels;

import static dev.ingot.runtime.kernels.Conv2dKernels.F;
import static dev.ingot.runtime.kernels.Conv2dKernels.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * One-plane kernels of {@link Pool2d} ({@code x} plane at {@code xi}, {@code h x w}; output plane at {@code yi}).
 *
 * <p>Max semantics are PyTorch's: a window is scanned in row-major order from a running maximum of -inf, and an
 * element replaces it when {@code v > max || isNaN(v)}. So the first of equal maxima wins, NaN propagates, and a
 * window of -inf values selects its first element.
 *
 * <h2>2x2 stride-2 max, vectorized</h2>
 * For a block of L outputs the two input rows are read as 2 vectors each (2L floats); a two-vector
 * {@code rearrange} with constant shuffles splits each row into its even and odd columns, and four compare+blend
 * steps in window order ((0,0), (0,1), (1,0), (1,1)) give the maxima. NOTE: compare+blend, not
 * {@code FloatVector.max}, which is slow on this JVM and has different NaN/-0.0 rules.
 */
final class Pool2dKernels {
    private Pool2dKernels() {
    }

    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(F, i -> 2 * i);
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(F, i -> 2 * i + 1);

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

    /** 2x2 stride-2 max pooling of one plane; vectorized when {@code vector}. */
    static void max2x2(float[] x, int xi, float[] y, int yi, int h, int w, boolean vector) {
        int oh = h / 2, ow = w / 2;
        for (int oy = 0; oy < oh; oy++) {
            int r0 = xi + 2 * oy * w, r1 = r0 + w, yr = yi + oy * ow;
            int ox = 0;
            if (vector) {
                for (; ox + L <= ow; ox += L) {
                    max2x2Block(x, r0 + 2 * ox, r1 + 2 * ox, y, yr + ox);
                }
            }
            for (; ox < ow; ox++) {
                int i = 2 * ox;
                float m = x[r0 + i];
                float v = x[r0 + i + 1];
                if (v > m || v != v) {
                    m = v;
                }
                v = x[r1 + i];
                if (v > m || v != v) {
                    m = v;
                }
                v = x[r1 + i + 1];
                if (v > m || v != v) {
                    m = v;
                }
                y[yr + ox] = m;
            }
        }
    }

    private static void max2x2Block(float[] x, int a, int b, float[] y, int yo) {
        FloatVector a0 = FloatVector.fromArray(F, x, a);
        FloatVector a1 = FloatVector.fromArray(F, x, a + L);
        FloatVector b0 = FloatVector.fromArray(F, x, b);
        FloatVector b1 = FloatVector.fromArray(F, x, b + L);
        FloatVector m = a0.rearrange(EVEN, a1);
        FloatVector v = a0.rearrange(ODD, a1);
        m = m.blend(v, takes(v, m));
        v = b0.rearrange(EVEN, b1);
        m = m.blend(v, takes(v, m));
        v = b0.rearrange(ODD, b1);
        m = m.blend(v, takes(v, m));
        m.intoArray(y, yo);
    }

    /** Lanes where {@code v} replaces the running max {@code m}: {@code v > m || isNaN(v)}. */
    private static VectorMask<Float> takes(FloatVector v, FloatVector m) {
        return v.compare(VectorOperators.GT, m).or(v.compare(VectorOperators.NE, v));
    }

    /**
     * 2x2 stride-2 max-pooling gradient of one plane: every input element is written (dy at the window's argmax, 0
     * elsewhere, 0 in a last odd row or column that no window covers), so dx needs no separate clearing.
     */
    static void maxBack2x2(float[] x, int xi, float[] dy, int di, float[] dx, int dxi, int h, int w) {
        int oh = h / 2, ow = w / 2;
        for (int oy = 0; oy < oh; oy++) {
            int r0 = 2 * oy * w, r1 = r0 + w, dr = di + oy * ow;
            for (int ox = 0; ox < ow; ox++) {
                int i = 2 * ox;
                float m = x[xi + r0 + i];
                int k = 0;
                float v = x[xi + r0 + i + 1];
                if (v > m || v != v) {
                    m = v;
                    k = 1;
                }
                v = x[xi + r1 + i];
                if (v > m || v != v) {
                    m = v;
                    k = 2;
                }
                v = x[xi + r1 + i + 1];
                if (v > m || v != v) {
                    k = 3;
                }
                float g = dy[dr + ox];
                dx[dxi + r0 + i] = k == 0 ? g : 0f;
                dx[dxi + r0 + i + 1] = k == 1 ? g : 0f;
                dx[dxi + r1 + i] = k == 2 ? g : 0f;
                dx[dxi + r1 + i + 1] = k == 3 ? g : 0f;
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
