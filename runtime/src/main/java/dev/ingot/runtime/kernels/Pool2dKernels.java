package dev.ingot.runtime.kernels;

import static dev.ingot.runtime.kernels.Conv2dKernels.F;
import static dev.ingot.runtime.kernels.Conv2dKernels.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * One-plane kernels of {@link Pool2d} ({@code x} plane at {@code xi}, {@code h x w}; output plane at {@code yi}).
 *
 * <p>Max semantics are PyTorch's: a window is scanned in row-major order from a running maximum of -inf, and an
 * element replaces it when {@code v > max || isNaN(v)}. So the first of equal maxima wins, NaN propagates, and a
 * window of -inf values selects its first element.
 *
 * <h2>2x2 stride-2 max, vectorized</h2>
 * For a block of {@link #PL} outputs the two input rows are read as 2 vectors each; one-vector
 * {@code rearrange}s with constant shuffles and a blend split each row into its even and odd columns; compare+blend
 * steps in window order ((0,0), (0,1), (1,0), (1,1)) give the maxima. The gradient keeps the three "replaced the
 * running max" masks, turns them into four gradient vectors (one per window position, zero where it is not the
 * argmax) and interleaves them back into the two rows of dx. NOTE: compare+blend, not {@code FloatVector.max},
 * which is slow on this JVM and has different NaN rules. A block with a NaN takes the exact scalar path. The scalar
 * forward uses {@link Math#max}, which may pick the other zero of a {-0.0, 0.0} tie (equal values; only the sign of
 * a zero can differ). Measured on the cnn workload's pool (64x64x24x24, one core, JDK 17): forward 0.74 ms
 * vector / 2.7 ms scalar (16 ns per output with the PyTorch-style if-chain); backward see benchmarks/CONV.md.
 */
final class Pool2dKernels {
    private Pool2dKernels() {
    }

    /**
     * Species of the 2x2 kernels: 256 bits (8 floats) where the preferred species is at least that wide. NOTE: half
     * of a 512-bit register, so that the 12-output rows of the cnn workload's 24x24 planes (and anything from 8
     * outputs up) take whole vectors; the kernels are shuffle-bound, not FMA-bound, so the width costs little.
     */
    static final VectorSpecies<Float> P = L >= 8 ? FloatVector.SPECIES_256 : F;
    /** Lanes of {@link #P}. */
    static final int PL = P.length();
    /** Even lanes of a vector into its low half (the high half repeats them): with {@link #HIGH}, a de-interleave. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(P, i -> (2 * i) % PL);
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(P, i -> (2 * i + 1) % PL);
    /** Lanes i -> i/2 and i -> PL/2 + i/2: each low (high) lane twice, to interleave two vectors with {@link #ODDS}. */
    private static final VectorShuffle<Float> DUP_LO = VectorShuffle.fromOp(P, i -> i / 2);
    private static final VectorShuffle<Float> DUP_HI = VectorShuffle.fromOp(P, i -> PL / 2 + i / 2);
    /** The high half of the lanes. */
    private static final VectorMask<Float> HIGH = VectorMask.fromLong(P, ((1L << PL) - 1) & ~((1L << (PL / 2)) - 1));
    /** The odd lanes. */
    private static final VectorMask<Float> ODDS = VectorMask.fromLong(P, 0xAAAAAAAAAAAAAAAAL & ((1L << PL) - 1));

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

    /** 2x2 stride-2 max pooling of one plane; vectorized when {@code vector} and the output rows have >= PL. */
    static void max2x2(float[] x, int xi, float[] y, int yi, int h, int w, boolean vector) {
        int oh = h / 2, ow = w / 2;
        boolean vec = vector && ow >= PL;
        for (int oy = 0; oy < oh; oy++) {
            int r0 = xi + 2 * oy * w, r1 = r0 + w, yr = yi + oy * ow;
            if (vec) {
                // NOTE: the last block overlaps its predecessor when PL does not divide ow; it rewrites equal values.
                for (int ox = 0; ; ox += PL) {
                    int o = Math.min(ox, ow - PL);
                    max2x2Block(x, r0 + 2 * o, r1 + 2 * o, y, yr + o);
                    if (o == ow - PL) {
                        break;
                    }
                }
                continue;
            }
            // NOTE: Math.max is branch-free (and propagates NaN, as PyTorch does); an if per element was
            // mispredicted half the time on random data (16 ns per output).
            max2x2Scalar(x, r0, r1, y, yr, ow);
        }
    }

    private static void max2x2Block(float[] x, int a, int b, float[] y, int yo) {
        FloatVector a0 = FloatVector.fromArray(P, x, a);
        FloatVector a1 = FloatVector.fromArray(P, x, a + PL);
        FloatVector b0 = FloatVector.fromArray(P, x, b);
        FloatVector b1 = FloatVector.fromArray(P, x, b + PL);
        if (hasNaN(a0, a1, b0, b1)) {
            max2x2Scalar(x, a, b, y, yo, PL);
            return;
        }
        FloatVector m = a0.rearrange(EVEN).blend(a1.rearrange(EVEN), HIGH);
        FloatVector v = a0.rearrange(ODD).blend(a1.rearrange(ODD), HIGH);
        m = m.blend(v, v.compare(VectorOperators.GT, m));
        v = b0.rearrange(EVEN).blend(b1.rearrange(EVEN), HIGH);
        m = m.blend(v, v.compare(VectorOperators.GT, m));
        v = b0.rearrange(ODD).blend(b1.rearrange(ODD), HIGH);
        m = m.blend(v, v.compare(VectorOperators.GT, m));
        m.intoArray(y, yo);
    }

    /**
     * Whether any lane may be NaN (then the block takes the exact scalar path). NOTE: one test of a sum instead of
     * NaN-aware selects in every step: mask logic ({@code or}, {@code andNot}) and two-vector {@code rearrange}
     * boxed vectors on JDK 17 and made this kernel slower than scalar code. inf + -inf also reads as NaN here,
     * which only costs the scalar path.
     */
    private static boolean hasNaN(FloatVector a, FloatVector b, FloatVector c, FloatVector d) {
        FloatVector s = a.add(b).add(c).add(d);
        return s.compare(VectorOperators.NE, s).anyTrue();
    }

    /** {@code n} outputs of the 2x2 max from rows at {@code a} and {@code b} (exact PyTorch NaN semantics). */
    private static void max2x2Scalar(float[] x, int a, int b, float[] y, int yo, int n) {
        for (int o = 0; o < n; o++) {
            int i = 2 * o;
            y[yo + o] = Math.max(Math.max(x[a + i], x[a + i + 1]), Math.max(x[b + i], x[b + i + 1]));
        }
    }

    /**
     * 2x2 stride-2 max-pooling gradient of one plane: every input element is written (dy at the window's argmax, 0
     * elsewhere, 0 in a last odd row or column that no window covers), so dx needs no separate clearing.
     */
    static void maxBack2x2(float[] x, int xi, float[] dy, int di, float[] dx, int dxi, int h, int w,
                           boolean vector) {
        int oh = h / 2, ow = w / 2;
        boolean vec = vector && ow >= PL;
        for (int oy = 0; oy < oh; oy++) {
            int r0 = 2 * oy * w, r1 = r0 + w, dr = di + oy * ow;
            if (vec) {
                for (int ox = 0; ; ox += PL) {
                    int o = Math.min(ox, ow - PL);
                    maxBack2x2Block(x, xi + r0 + 2 * o, xi + r1 + 2 * o, dy, dr + o, dx, dxi + r0 + 2 * o,
                            dxi + r1 + 2 * o);
                    if (o == ow - PL) {
                        break;
                    }
                }
            } else {
                for (int ox = 0; ox < ow; ox++) {
                    maxBack2x2Scalar(x, xi + r0 + 2 * ox, xi + r1 + 2 * ox, dy[dr + ox], dx, dxi + r0 + 2 * ox,
                            dxi + r1 + 2 * ox);
                }
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
     * One window of the 2x2 gradient. NOTE: the max by {@link Math#max}, then the first element equal to it, as
     * integer masks: no branch on the data (random data mispredicted the PyTorch-style if-chain half the time,
     * 20 ns per window). A NaN maximum takes the exact if-chain (PyTorch picks the last NaN).
     */
    private static void maxBack2x2Scalar(float[] x, int a, int b, float g, float[] dx, int da, int db) {
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

    private static void maxBack2x2Block(float[] x, int a, int b, float[] dy, int d, float[] dx, int da, int db) {
        FloatVector a0 = FloatVector.fromArray(P, x, a);
        FloatVector a1 = FloatVector.fromArray(P, x, a + PL);
        FloatVector b0 = FloatVector.fromArray(P, x, b);
        FloatVector b1 = FloatVector.fromArray(P, x, b + PL);
        if (hasNaN(a0, a1, b0, b1)) {
            for (int o = 0; o < PL; o++) {
                maxBack2x2Scalar(x, a + 2 * o, b + 2 * o, dy[d + o], dx, da + 2 * o, db + 2 * o);
            }
            return;
        }
        FloatVector m = a0.rearrange(EVEN).blend(a1.rearrange(EVEN), HIGH);
        FloatVector v = a0.rearrange(ODD).blend(a1.rearrange(ODD), HIGH);
        VectorMask<Float> t1 = v.compare(VectorOperators.GT, m);
        m = m.blend(v, t1);
        v = b0.rearrange(EVEN).blend(b1.rearrange(EVEN), HIGH);
        VectorMask<Float> t2 = v.compare(VectorOperators.GT, m);
        m = m.blend(v, t2);
        v = b0.rearrange(ODD).blend(b1.rearrange(ODD), HIGH);
        VectorMask<Float> t3 = v.compare(VectorOperators.GT, m);
        // NOTE: blends only (no mask logic, see hasNaN): position k gets g where step k replaced the max and no
        // later step did.
        FloatVector g = FloatVector.fromArray(P, dy, d);
        FloatVector z = FloatVector.zero(P);
        FloatVector g3 = z.blend(g, t3);
        FloatVector g2 = z.blend(g, t2).blend(z, t3);
        FloatVector g1 = z.blend(g, t1).blend(z, t2).blend(z, t3);
        FloatVector g0 = g.blend(z, t1).blend(z, t2).blend(z, t3);
        g0.rearrange(DUP_LO).blend(g1.rearrange(DUP_LO), ODDS).intoArray(dx, da);
        g0.rearrange(DUP_HI).blend(g1.rearrange(DUP_HI), ODDS).intoArray(dx, da + PL);
        g2.rearrange(DUP_LO).blend(g3.rearrange(DUP_LO), ODDS).intoArray(dx, db);
        g2.rearrange(DUP_HI).blend(g3.rearrange(DUP_HI), ODDS).intoArray(dx, db + PL);
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
