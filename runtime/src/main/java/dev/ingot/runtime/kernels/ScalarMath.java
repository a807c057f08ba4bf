package dev.ingot.runtime.kernels;

/**
 * Scalar math the JDK lacks, for generated code (plain Java, no Vector API classes).
 * {@link #erf}: Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7.
 */
public final class ScalarMath {
    private ScalarMath() {}

    public static float erf(float x) {
        float ax = Math.abs(x);
        float t = 1f / (1f + 0.3275911f * ax);
        float p = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
        float r = 1f - p * (float) Math.exp(-ax * ax);
        return x < 0 ? -r : r;
    }
}
