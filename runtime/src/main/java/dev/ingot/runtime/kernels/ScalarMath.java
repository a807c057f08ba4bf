package dev.ingot.runtime.kernels;

/**
 * Scalar math for generated code and kernels (plain Java, no Vector API classes). {@link #log} is the scalar twin of
 * {@link VectorMath#log} (same operations, same order, same bits). {@link #erf}: Abramowitz and Stegun 7.1.26,
 * absolute error below 1.5e-7.
 */
public final class ScalarMath {
    private ScalarMath() {}

    /**
     * The natural logarithm, Cephes' logf: x = m 2^e with m in [sqrt(1/2), sqrt(2)), a degree-9 polynomial in m - 1
     * (subnormals scaled up first). 0 gives -inf, negatives and NaN give NaN, +inf gives +inf.
     */
    public static float log(float a) {
        boolean sub = a < Float.MIN_NORMAL;
        float x = sub ? a * 8388608f : a;
        int bits = Float.floatToRawIntBits(x);
        float e = (float) ((bits >>> 23) - 126);
        if (sub) {
            e = e - 23f;
        }
        float m = Float.intBitsToFloat((bits & 0x007fffff) | 0x3f000000);
        boolean lo = m < 0.707106781186547524f;
        if (lo) {
            e = e - 1f;
        }
        float t = lo ? (m + m) - 1f : m - 1f;
        float z = t * t;
        float y = 7.0376836292E-2f;
        y = Math.fma(y, t, -1.1514610310E-1f);
        y = Math.fma(y, t, 1.1676998740E-1f);
        y = Math.fma(y, t, -1.2420140846E-1f);
        y = Math.fma(y, t, 1.4249322787E-1f);
        y = Math.fma(y, t, -1.6668057665E-1f);
        y = Math.fma(y, t, 2.0000714765E-1f);
        y = Math.fma(y, t, -2.4999993993E-1f);
        y = Math.fma(y, t, 3.3333331174E-1f);
        y = y * t * z;
        y = Math.fma(e, -2.12194440e-4f, y);
        y = Math.fma(z, -0.5f, y);
        float res = Math.fma(e, 0.693359375f, t + y);
        if (a == 0f) {
            res = Float.NEGATIVE_INFINITY;
        }
        if (a < 0f || a != a) {
            res = Float.NaN;
        }
        if (a == Float.POSITIVE_INFINITY) {
            res = a;
        }
        return res;
    }

    public static float erf(float x) {
        float ax = Math.abs(x);
        float t = 1f / (1f + 0.3275911f * ax);
        float p = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
        float r = 1f - p * (float) Math.exp(-ax * ax);
        return x < 0 ? -r : r;
    }
}
