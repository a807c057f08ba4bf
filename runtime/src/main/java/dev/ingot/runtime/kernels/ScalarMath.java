package dev.ingot.runtime.kernels;

/**
 * Scalar math for generated code and kernels (plain Java, no Vector API classes). Each function is the scalar twin of
 * the vector code the compiler generates for the op of the same name ({@code dev.ingot.compiler.ops.VectorPolynomials}:
 * same operations, same order, same bits), so that results depend neither on which elements a vector loop leaves to
 * its scalar tail nor on which JIT tier runs the code (unlike {@code Math.exp} and the Vector API's EXP).
 * {@link #erf}: a rational function without exp, absolute error below 3.5e-7.
 */
public final class ScalarMath {
    private ScalarMath() {}

    /**
     * Below this e^x is flushed to 0 (e^-87 = 1.6e-38, just above the smallest normal float); above {@link #EXP_HI}
     * it is infinite. NOTE: never a subnormal result. An Intel core handles each vector instruction that makes or
     * reads a subnormal by a microcode assist (~150 cycles): with the former bound, -103.97 (gradual underflow down to
     * the smallest subnormal), the -inf entries of a causal mask made the attention softmax's exp 4-5x slower (1.8 ms
     * against 0.35 ms without the exp, for 8,192 rows of 64 on a Xeon). A flushed e^x below 1.6e-38 is below float32's
     * resolution next to any softmax sum or sigmoid denominator it enters.
     */
    static final float EXP_LO = -87f;
    static final float EXP_HI = 88.72283935546875f;
    static final float TANH_CLAMP = 7.90531110763549805f;
    static final float TANH_TINY = 0.0004f;
    static final float ERF_CLAMP = 4f;

    /**
     * e^x, Cephes' expf: x = n ln2 + r with n = round(x / ln2) (ln2 in two parts), a degree-6 polynomial for e^r,
     * times 2^n built from exponent bits (in two halves, so that n = 128 needs no special case). NaN gives NaN,
     * overflow +inf, anything below {@link #EXP_LO} 0.
     */
    public static float exp(float a) {
        float x = Math.max(EXP_LO, Math.min(EXP_HI, a));
        float n = expN(x), y = expPoly(x, n);
        int ni = (int) n, n1 = ni >> 1;
        float res = y * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((ni - n1 + 127) << 23);
        if (a < EXP_LO) {
            res = 0f;
        }
        if (a > EXP_HI) {
            res = Float.POSITIVE_INFINITY;
        }
        return res;
    }

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

    /** tanh, Eigen's rational approximation (odd degree 13 over even degree 6) on [-7.9, 7.9]; x itself near 0. */
    public static float tanh(float a) {
        float x = Math.max(-TANH_CLAMP, Math.min(TANH_CLAMP, a));
        float x2 = x * x;
        float p = Math.fma(x2, -2.76076847742355e-16f, 2.00018790482477e-13f);
        p = Math.fma(x2, p, -8.60467152213735e-11f);
        p = Math.fma(x2, p, 5.12229709037114e-08f);
        p = Math.fma(x2, p, 1.48572235717979e-05f);
        p = Math.fma(x2, p, 6.37261928875436e-04f);
        p = Math.fma(x2, p, 4.89352455891786e-03f);
        p = x * p;
        float q = Math.fma(x2, 1.19825839466702e-06f, 1.18534705686654e-04f);
        q = Math.fma(x2, q, 2.26843463243900e-03f);
        q = Math.fma(x2, q, 4.89352518554385e-03f);
        return Math.abs(a) < TANH_TINY ? a : p / q;
    }

    /**
     * The logistic function {@code 1 / (1 + e^-a)}, a clamped to [-87, 87], so that e^-a needs one power of two and no
     * test for overflow or underflow (9 of 35 vector operations fewer than with {@link #exp}: a 512-bit sigmoid
     * 29 -> 24 cycles); the result for a below -87 is 1.6e-38 rather than a subnormal or 0.
     */
    public static float sigmoid(float a) {
        float x = Math.min(87f, Math.max(-87f, -a));
        float n = expN(x);
        return 1f / (expPoly(x, n) * Float.intBitsToFloat(((int) n + 127) << 23) + 1f);
    }

    /** n = round(x / ln2), for {@link #exp} and {@link #sigmoid}. */
    private static float expN(float x) {
        return (x * 1.44269504088896341f + 12582912f) - 12582912f;
    }

    /** e^r for r = x - n ln2 (ln2 in two parts): Cephes' degree-6 polynomial, shared by {@link #exp} and {@link #sigmoid}. */
    private static float expPoly(float x, float n) {
        float r = Math.fma(n, -0.693359375f, x);
        r = Math.fma(n, 2.12194440e-4f, r);
        float y = 1.9875691500E-4f;
        y = Math.fma(y, r, 1.3981999507E-3f);
        y = Math.fma(y, r, 8.3334519073E-3f);
        y = Math.fma(y, r, 4.1665795894E-2f);
        y = Math.fma(y, r, 1.6666665459E-1f);
        y = Math.fma(y, r, 5.0000001201E-1f);
        return Math.fma(y, r * r, r) + 1f;
    }


    /**
     * erf: Eigen's and XLA's float rational function, odd degree 13 over even degree 8, of x clamped to [-4, 4], the
     * quotient clamped to [-1, 1]; absolute error below 3.5e-7 (5 units in the last place of 1).
     */
    public static float erf(float a) {
        float x = Math.max(-ERF_CLAMP, Math.min(ERF_CLAMP, a));
        float x2 = x * x;
        float p = Math.fma(x2, -2.72614225801306e-10f, 2.77068142495902e-08f);
        p = Math.fma(x2, p, -2.10102402082508e-06f);
        p = Math.fma(x2, p, -5.69250639462346e-05f);
        p = Math.fma(x2, p, -7.34990630326855e-04f);
        p = Math.fma(x2, p, -2.95459980854025e-03f);
        p = Math.fma(x2, p, -1.60960333262415e-02f);
        p = x * p;
        float q = Math.fma(x2, -1.45660718464996e-05f, -2.13374055278905e-04f);
        q = Math.fma(x2, q, -1.68282697438203e-03f);
        q = Math.fma(x2, q, -7.37332916720468e-03f);
        q = Math.fma(x2, q, -1.42647390514189e-02f);
        return Math.max(-1f, Math.min(1f, p / q));
    }
}
