package dev.ingot.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Vector math for generated code and kernels; small static methods that C2 inlines into the calling loop (so the
 * vectors stay in registers). Each function is the lane-wise twin of the {@link ScalarMath} function of the same
 * name: the same IEEE operations in the same order, so a vector lane and a scalar tail element give the same bits.
 *
 * <p>NOTE: why not {@code lanewise(VectorOperators.EXP)} and {@code reduceLanes(ADD)}: their result depends on how
 * the calling code is compiled. The interpreter and C1 run the Vector API's Java fallback ({@code Math.exp} per lane,
 * lanes summed left to right), C2 calls a vector math library (different rounding) and sums lanes as a tree. Which
 * one a training step runs depends on when the JIT gets to it, and that differs from run to run (more so with
 * several threads): the same seed gave losses differing in the 8th digit. Built from add, multiply, FMA, compare,
 * blend, conversions and shuffles only, which every tier computes exactly, these functions make training
 * bit-reproducible. Accuracy (float32, measured over the whole range): exp and log within 1e-7 relative, tanh within
 * 2.6e-7 absolute (Cephes polynomials, Eigen's rational tanh).
 */
public final class VectorMath {
    private VectorMath() {}

    private static final int L = Simd.L;
    private static final VectorShuffle<Float> SWAP8 = L >= 16 ? VectorShuffle.fromOp(Simd.F, i -> i ^ 8) : null;
    private static final VectorShuffle<Float> SWAP4 = L >= 8 ? VectorShuffle.fromOp(Simd.F, i -> i ^ 4) : null;
    private static final VectorShuffle<Float> SWAP2 = L >= 4 ? VectorShuffle.fromOp(Simd.F, i -> i ^ 2) : null;
    private static final VectorShuffle<Float> SWAP1 = L >= 2 ? VectorShuffle.fromOp(Simd.F, i -> i ^ 1) : null;

    /**
     * The sum of the lanes of {@code v} (a vector of {@link Simd#F}) in a fixed order: a pairwise tree, lanes
     * {@code i} and {@code i ^ s} added for s = L/2, ..., 1, then lane 0.
     */
    public static float sum(FloatVector v) {
        if (L >= 32) {
            throw new IllegalStateException("vectors of more than 16 floats are not supported");
        }
        if (L >= 16) {
            v = v.add(v.rearrange(SWAP8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(SWAP4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(SWAP2));
        }
        if (L >= 2) {
            v = v.add(v.rearrange(SWAP1));
        }
        return v.lane(0);
    }

    /** e^x: see {@link ScalarMath#exp}. */
    public static FloatVector exp(FloatVector a) {
        FloatVector x = a.max(ScalarMath.EXP_LO).min(ScalarMath.EXP_HI);
        FloatVector n = x.mul(1.44269504088896341f).add(12582912f).sub(12582912f);
        FloatVector r = n.fma(x.broadcast(-0.693359375f), x);
        r = n.fma(x.broadcast(2.12194440e-4f), r);
        FloatVector y = x.broadcast(1.9875691500E-4f);
        y = y.fma(r, x.broadcast(1.3981999507E-3f));
        y = y.fma(r, x.broadcast(8.3334519073E-3f));
        y = y.fma(r, x.broadcast(4.1665795894E-2f));
        y = y.fma(r, x.broadcast(1.6666665459E-1f));
        y = y.fma(r, x.broadcast(5.0000001201E-1f));
        y = y.fma(r.mul(r), r).add(1f);
        IntVector ni = (IntVector) n.convert(VectorOperators.F2I, 0);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = ni.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector res = y.mul(s1).mul(s2);
        res = res.blend(0f, a.compare(VectorOperators.LT, ScalarMath.EXP_LO));
        return res.blend(Float.POSITIVE_INFINITY, a.compare(VectorOperators.GT, ScalarMath.EXP_HI));
    }

    /** The natural logarithm: see {@link ScalarMath#log}. */
    public static FloatVector log(FloatVector a) {
        VectorMask<Float> sub = a.compare(VectorOperators.LT, Float.MIN_NORMAL);
        FloatVector x = a.blend(a.mul(8388608f), sub);
        IntVector bits = x.reinterpretAsInts();
        FloatVector e = ((FloatVector) bits.lanewise(VectorOperators.LSHR, 23).sub(126).convert(VectorOperators.I2F, 0));
        e = e.blend(e.sub(23f), sub);
        FloatVector m = bits.and(0x007fffff).or(0x3f000000).reinterpretAsFloats();
        VectorMask<Float> lo = m.compare(VectorOperators.LT, 0.707106781186547524f);
        e = e.blend(e.sub(1f), lo);
        FloatVector t = m.sub(1f).blend(m.add(m).sub(1f), lo);
        FloatVector z = t.mul(t);
        FloatVector y = x.broadcast(7.0376836292E-2f);
        y = y.fma(t, x.broadcast(-1.1514610310E-1f));
        y = y.fma(t, x.broadcast(1.1676998740E-1f));
        y = y.fma(t, x.broadcast(-1.2420140846E-1f));
        y = y.fma(t, x.broadcast(1.4249322787E-1f));
        y = y.fma(t, x.broadcast(-1.6668057665E-1f));
        y = y.fma(t, x.broadcast(2.0000714765E-1f));
        y = y.fma(t, x.broadcast(-2.4999993993E-1f));
        y = y.fma(t, x.broadcast(3.3333331174E-1f));
        y = y.mul(t).mul(z);
        y = e.fma(x.broadcast(-2.12194440e-4f), y);
        y = z.fma(x.broadcast(-0.5f), y);
        FloatVector res = e.fma(x.broadcast(0.693359375f), t.add(y));
        res = res.blend(Float.NEGATIVE_INFINITY, a.compare(VectorOperators.EQ, 0f));
        res = res.blend(Float.NaN, a.compare(VectorOperators.LT, 0f).or(a.compare(VectorOperators.NE, a)));
        return res.blend(Float.POSITIVE_INFINITY, a.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
    }

    /** tanh: see {@link ScalarMath#tanh}. */
    public static FloatVector tanh(FloatVector a) {
        FloatVector x = a.max(-ScalarMath.TANH_CLAMP).min(ScalarMath.TANH_CLAMP);
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.fma(x.broadcast(-2.76076847742355e-16f), x.broadcast(2.00018790482477e-13f));
        p = x2.fma(p, x.broadcast(-8.60467152213735e-11f));
        p = x2.fma(p, x.broadcast(5.12229709037114e-08f));
        p = x2.fma(p, x.broadcast(1.48572235717979e-05f));
        p = x2.fma(p, x.broadcast(6.37261928875436e-04f));
        p = x2.fma(p, x.broadcast(4.89352455891786e-03f));
        p = x.mul(p);
        FloatVector q = x2.fma(x.broadcast(1.19825839466702e-06f), x.broadcast(1.18534705686654e-04f));
        q = x2.fma(q, x.broadcast(2.26843463243900e-03f));
        q = x2.fma(q, x.broadcast(4.89352518554385e-03f));
        return p.div(q).blend(a, a.abs().compare(VectorOperators.LT, ScalarMath.TANH_TINY));
    }

    /** The logistic function {@code 1 / (1 + e^-x)}. */
    public static FloatVector sigmoid(FloatVector x) {
        return x.broadcast(1f).div(exp(x.neg()).add(1f));
    }

    /** erf: as {@link ScalarMath#erf}. */
    public static FloatVector erf(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector t = ax.mul(0.3275911f).add(1f);
        t = t.broadcast(1f).div(t);
        FloatVector p = t.mul(1.061405429f).add(-1.453152027f).mul(t).add(1.421413741f).mul(t).add(-0.284496736f).mul(t).add(0.254829592f).mul(t);
        FloatVector r = p.mul(exp(ax.mul(ax).neg())).neg().add(1f);
        return r.blend(r.neg(), x.compare(VectorOperators.LT, 0f));
    }
}
