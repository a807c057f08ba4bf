package dev.ingot.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector math the Vector API lacks, for generated code; small static methods that C2 inlines into
 * the calling loop (so the vectors stay in registers). {@link #erf}: as {@link ScalarMath#erf}.
 */
public final class VectorMath {
    private VectorMath() {}

    public static FloatVector erf(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector t = ax.mul(0.3275911f).add(1f);
        t = t.broadcast(1f).div(t);
        FloatVector p = t.mul(1.061405429f).add(-1.453152027f).mul(t).add(1.421413741f).mul(t).add(-0.284496736f).mul(t).add(0.254829592f).mul(t);
        FloatVector r = p.mul(ax.mul(ax).neg().lanewise(VectorOperators.EXP)).neg().add(1f);
        return r.blend(r.neg(), x.compare(VectorOperators.LT, 0f));
    }
}
