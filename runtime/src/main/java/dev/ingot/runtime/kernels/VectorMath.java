package dev.ingot.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector math for generated code and kernels; small static methods that C2 inlines into the calling loop (so the
 * vectors stay in registers).
 *
 * <p>{@link #log} gives the same bits in every JIT tier (built from add, multiply, FMA, compare, blend and
 * conversions only), where {@code lanewise(LOG)} does not: the interpreter and C1 run the Vector API's Java fallback
 * ({@code Math.log} per lane), C2 calls a vector math library. It is the lane-wise twin of {@link ScalarMath#log}.
 *
 * <p>NOTE: exp and tanh built the same way (Cephes' polynomial, Eigen's rational tanh) made the LSTM's gate kernel
 * too large for C2 once inlined: the kernel ran with boxed vectors, 1 GB/s of garbage and a third of the speed. They
 * stay {@code lanewise(EXP)} / {@code lanewise(TANH)} until the fusion stage can bound a kernel's size.
 */
public final class VectorMath {
    private VectorMath() {}

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

    /** erf: as {@link ScalarMath#erf}. */
    public static FloatVector erf(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector t = ax.mul(0.3275911f).add(1f);
        t = t.broadcast(1f).div(t);
        FloatVector p = t.mul(1.061405429f).add(-1.453152027f).mul(t).add(1.421413741f).mul(t).add(-0.284496736f).mul(t).add(0.254829592f).mul(t);
        FloatVector r = p.mul(ax.mul(ax).neg().lanewise(VectorOperators.EXP)).neg().add(1f);
        return r.blend(r.neg(), x.compare(VectorOperators.LT, 0f));
    }
}
