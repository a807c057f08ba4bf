package dev.ingot.runtime.kernels;

import static dev.ingot.runtime.kernels.Conv2dKernels.F;
import static dev.ingot.runtime.kernels.Conv2dKernels.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Vector API 2x2 stride-2 max pooling of one plane (forward and gradient), for planes of even width
 * {@code w >= L} with at least L outputs; anything else, and any plane holding a NaN (or an inf - inf), takes the
 * exact scalar code of {@link Pool2dKernels}.
 *
 * <h2>Flattened rows</h2>
 * With an even width, output {@code k = oy * ow + ox} reads columns {@code 2k} and {@code 2k + 1} of the
 * {@code oy}-th "top" row and "bottom" row once the top rows {@code 0, 2, 4, ..} (and the bottom rows) are laid out
 * one after another. So L consecutive outputs, across output-row boundaries, are 2 vectors of the top rows and 2
 * of the bottom rows, de-interleaved into even and odd columns by one-vector {@code rearrange}s and a blend. The
 * forward first takes the vertical max of each row pair into a per-thread buffer, then the horizontal max of the
 * flattened buffer; the gradient copies the top and bottom rows into two buffers, computes per block of outputs
 * the "replaced the running max" masks in window order ((0,0), (0,1), (1,0), (1,1): strict {@code >}, so the first
 * maximum wins), turns them into four gradient vectors with blends, interleaves them back and copies the rows out.
 * The last block of a plane overlaps its predecessor instead of having a scalar tail (it rewrites equal values).
 *
 * <p>NOTE: the same 512-bit species as every other kernel, and one-vector shuffles, blends and compares only.
 * A 256-bit species here (for 12-output rows) slowed the convolution kernels down by an order of magnitude once
 * both had run in one JVM (the Vector API's shared code saw two vector classes and C2 stopped intrinsifying), and
 * two-vector {@code rearrange} and mask logic ({@code or}, {@code andNot}) boxed vectors on JDK 17. No
 * {@code FloatVector.max} either (slow on this JVM, and different NaN rules); NaN is handled by testing a
 * running sum of the plane once.
 */
final class Pool2dMax2x2 {
    private Pool2dMax2x2() {
    }

    /** Even lanes into the low half (the high half repeats them); with {@link #HIGH}, a de-interleave. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(F, i -> (2 * i) % L);
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(F, i -> (2 * i + 1) % L);
    /** Each low (high) lane twice: with {@link #ODDS}, an interleave of two vectors. */
    private static final VectorShuffle<Float> DUP_LO = VectorShuffle.fromOp(F, i -> i / 2);
    private static final VectorShuffle<Float> DUP_HI = VectorShuffle.fromOp(F, i -> L / 2 + i / 2);
    private static final long ALL = L == 64 ? -1L : (1L << L) - 1;
    private static final VectorMask<Float> HIGH = VectorMask.fromLong(F, ALL & ~((1L << (L / 2)) - 1));
    private static final VectorMask<Float> ODDS = VectorMask.fromLong(F, 0xAAAAAAAAAAAAAAAAL & ALL);

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][0]);

    /** Per-thread buffers {top, bottom, dTop, dBottom}, each at least {@code n} floats. */
    static float[][] scratch(int n) {
        float[][] s = SCRATCH.get();
        if (s[0].length < n) {
            for (int i = 0; i < 4; i++) {
                s[i] = new float[n];
            }
        }
        return s;
    }

    /** Whether the vector kernels handle an {@code h x w} plane. */
    static boolean fits(int h, int w) {
        return Conv2dKernels.ENABLED && (w & 1) == 0 && w >= L && (h / 2) * (w / 2) >= L;
    }

    /** Forward of one plane ({@code sc} from {@link #scratch} with {@code (h/2)*w} floats). */
    static void forward(float[] x, int xi, float[] y, int yi, int h, int w, float[][] sc) {
        int oh = h / 2, n = oh * (w / 2);
        float[] v = sc[0];
        FloatVector sum = FloatVector.zero(F);
        for (int oy = 0; oy < oh; oy++) {
            int r0 = xi + 2 * oy * w, r1 = r0 + w, vr = oy * w;
            for (int j = 0; ; j += L) {
                int c = Math.min(j, w - L);
                FloatVector a = FloatVector.fromArray(F, x, r0 + c);
                FloatVector b = FloatVector.fromArray(F, x, r1 + c);
                sum = sum.add(a).add(b);
                a.blend(b, b.compare(VectorOperators.GT, a)).intoArray(v, vr + c);
                if (c == w - L) {
                    break;
                }
            }
        }
        if (sum.compare(VectorOperators.NE, sum).anyTrue()) {
            Pool2dKernels.max2x2(x, xi, y, yi, h, w);
            return;
        }
        for (int k = 0; ; k += L) {
            int c = Math.min(k, n - L);
            FloatVector v0 = FloatVector.fromArray(F, v, 2 * c);
            FloatVector v1 = FloatVector.fromArray(F, v, 2 * c + L);
            FloatVector e = v0.rearrange(EVEN).blend(v1.rearrange(EVEN), HIGH);
            FloatVector o = v0.rearrange(ODD).blend(v1.rearrange(ODD), HIGH);
            e.blend(o, o.compare(VectorOperators.GT, e)).intoArray(y, yi + c);
            if (c == n - L) {
                break;
            }
        }
    }

    /** Gradient of one plane; writes every element of its dx plane. */
    static void backward(float[] x, int xi, float[] dy, int di, float[] dx, int dxi, int h, int w, float[][] sc) {
        int oh = h / 2, n = oh * (w / 2);
        float[] top = sc[0], bot = sc[1], dTop = sc[2], dBot = sc[3];
        FloatVector sum = FloatVector.zero(F);
        for (int oy = 0; oy < oh; oy++) {
            int r0 = xi + 2 * oy * w, r1 = r0 + w, vr = oy * w;
            for (int j = 0; ; j += L) {
                int c = Math.min(j, w - L);
                FloatVector a = FloatVector.fromArray(F, x, r0 + c);
                FloatVector b = FloatVector.fromArray(F, x, r1 + c);
                sum = sum.add(a).add(b);
                a.intoArray(top, vr + c);
                b.intoArray(bot, vr + c);
                if (c == w - L) {
                    break;
                }
            }
        }
        if (sum.compare(VectorOperators.NE, sum).anyTrue()) {
            Pool2dKernels.maxBack2x2(x, xi, dy, di, dx, dxi, h, w);
            return;
        }
        for (int k = 0; ; k += L) {
            int c = Math.min(k, n - L);
            block(top, bot, 2 * c, dy, di + c, dTop, dBot);
            if (c == n - L) {
                break;
            }
        }
        for (int oy = 0; oy < oh; oy++) {
            Conv2dKernels.copyRow(dTop, oy * w, dx, dxi + 2 * oy * w, w);
            Conv2dKernels.copyRow(dBot, oy * w, dx, dxi + (2 * oy + 1) * w, w);
        }
        if ((h & 1) != 0) {
            Conv2dKernels.zero(dx, dxi + (h - 1) * w, w);
        }
    }

    /** L outputs: flattened columns {@code [i, i + 2L)} of the top and bottom rows, dy at {@code d}. */
    private static void block(float[] top, float[] bot, int i, float[] dy, int d, float[] dTop, float[] dBot) {
        FloatVector t0 = FloatVector.fromArray(F, top, i);
        FloatVector t1 = FloatVector.fromArray(F, top, i + L);
        FloatVector b0 = FloatVector.fromArray(F, bot, i);
        FloatVector b1 = FloatVector.fromArray(F, bot, i + L);
        FloatVector m = t0.rearrange(EVEN).blend(t1.rearrange(EVEN), HIGH);
        FloatVector v = t0.rearrange(ODD).blend(t1.rearrange(ODD), HIGH);
        VectorMask<Float> s1 = v.compare(VectorOperators.GT, m);
        m = m.blend(v, s1);
        v = b0.rearrange(EVEN).blend(b1.rearrange(EVEN), HIGH);
        VectorMask<Float> s2 = v.compare(VectorOperators.GT, m);
        m = m.blend(v, s2);
        v = b0.rearrange(ODD).blend(b1.rearrange(ODD), HIGH);
        VectorMask<Float> s3 = v.compare(VectorOperators.GT, m);
        // position k gets g where step k replaced the max and no later step did
        FloatVector g = FloatVector.fromArray(F, dy, d);
        FloatVector z = FloatVector.zero(F);
        FloatVector g3 = z.blend(g, s3);
        FloatVector g2 = z.blend(g, s2).blend(z, s3);
        FloatVector g1 = z.blend(g, s1).blend(z, s2).blend(z, s3);
        FloatVector g0 = g.blend(z, s1).blend(z, s2).blend(z, s3);
        g0.rearrange(DUP_LO).blend(g1.rearrange(DUP_LO), ODDS).intoArray(dTop, i);
        g0.rearrange(DUP_HI).blend(g1.rearrange(DUP_HI), ODDS).intoArray(dTop, i + L);
        g2.rearrange(DUP_LO).blend(g3.rearrange(DUP_LO), ODDS).intoArray(dBot, i);
        g2.rearrange(DUP_HI).blend(g3.rearrange(DUP_HI), ODDS).intoArray(dBot, i + L);
    }
}
