package dev.ingot.compiler.ops;

/**
 * Generated Vector API code of the heavy elementwise ops ({@link Elementwise#heavy}): exp, sigmoid, tanh, log and
 * erf as polynomials (or quotients of polynomials) built from add, multiply, FMA, compare, blend, conversions and bit operations only. Each is the
 * lane-wise twin of the runtime's {@code ScalarMath} function of the same name (the same IEEE operations in the same
 * order), which the scalar tails call: a vector lane and a scalar element give the same bits, in every JIT tier.
 *
 * <p>NOTE: why not {@code lanewise(VectorOperators.EXP)} (TANH, LOG): its result depends on how the calling code is
 * compiled. The interpreter and C1 run the Vector API's Java fallback ({@code Math.exp} per lane), C2 calls a vector
 * math library (SVML, other rounding), and when a kernel gets to C2 differs from run to run: the same seed gave
 * losses differing in the 8th digit. Why statements in the kernel rather than calls to a runtime helper: C2 inlines
 * the Vector API's methods always ({@code @ForceInline}), but a helper of ours only while the kernel is small
 * (NodeCountInliningCutoff) and only until the helper has been compiled on its own ("already compiled into a big
 * method"); a helper it does not inline gets and returns boxed vectors (measured: 66 MB of garbage per LSTM step,
 * a fifth slower). Fusion keeps one heavy op per kernel ({@code FusionPlanner.MAX_HEAVY}) so kernels stay small.
 *
 * <p>Integer/float conversions use the bits of 1.5 * 2^23 + n (whose low bits are n) instead of {@code convert(F2I)}
 * and {@code convert(I2F)}: JDK 17's C2 does not intrinsify those on 512-bit vectors and falls back to boxed Java
 * code (measured: 66 MB of garbage per LSTM step).
 *
 * <p>Every function returns statements that declare their temporaries (named {@code out_...}) and assign the final
 * local {@code out}, which the caller declares. Accuracy (float32, whole range, tested against float64): exp and log
 * within 1e-7 relative, tanh within 2.6e-7 absolute (Cephes' polynomials, Eigen's rational tanh).
 */
public final class VectorPolynomials {
    private VectorPolynomials() {}

    /** e^a (Cephes' expf, as {@code ScalarMath.exp}). */
    public static String exp(String arg, String out) {
        String p = out + "_", a = p + "a";
        return String.join("\n",
                "final FloatVector " + a + " = " + arg + ";",
                "final FloatVector " + p + "x = " + a + ".max(" + k("-87f") + ").min(" + k("88.72283935546875f") + ");",
                expCore(p),
                "final IntVector " + p + "ni = " + p + "t.reinterpretAsInts().sub(" + ki(0x4B400000) + ");",
                "final IntVector " + p + "n1 = " + p + "ni.lanewise(VectorOperators.ASHR, 1);",
                "final FloatVector " + p + "s1 = " + p + "n1.add(" + ki(127) + ").lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();",
                "final FloatVector " + p + "s2 = " + p + "ni.sub(" + p + "n1).add(" + ki(127) + ").lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();",
                out + " = " + p + "y.mul(" + p + "s1).mul(" + p + "s2).blend(" + k("0f") + ", " + a + ".compare(VectorOperators.LT, " + k("-87f") + "))"
                        + ".blend(" + k("Float.POSITIVE_INFINITY") + ", " + a + ".compare(VectorOperators.GT, " + k("88.72283935546875f") + "));");
    }

    /**
     * The logistic function {@code 1 / (e^-a + 1)}, a clamped to [-87, 87] (as {@code ScalarMath.sigmoid}): e^-a as in
     * {@link #exp} with one power of two and no blends.
     */
    public static String sigmoid(String arg, String out) {
        String p = out + "_";
        return String.join("\n",
                "final FloatVector " + p + "x = " + arg + ".neg().max(" + k("-87f") + ").min(" + k("87f") + ");",
                expCore(p),
                "final FloatVector " + p + "s = " + p + "t.reinterpretAsInts().add(" + ki(127 - 0x4B400000) + ").lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();",
                out + " = " + k("1f") + ".div(" + p + "y.mul(" + p + "s).add(" + k("1f") + "));");
    }


    /** tanh, Eigen's rational approximation on [-7.9, 7.9], a itself below 0.0004 (as {@code ScalarMath.tanh}). */
    public static String tanh(String arg, String out) {
        String p = out + "_", a = p + "a";
        return String.join("\n",
                "final FloatVector " + a + " = " + arg + ";",
                "final FloatVector " + p + "x = " + a + ".max(" + k("-7.90531110763549805f") + ").min(" + k("7.90531110763549805f") + ");",
                "final FloatVector " + p + "x2 = " + p + "x.mul(" + p + "x);",
                "FloatVector " + p + "p = " + p + "x2.fma(" + k("-2.76076847742355e-16f") + ", " + k("2.00018790482477e-13f") + ");",
                horner(p + "p", p + "x2", "-8.60467152213735e-11f", "5.12229709037114e-08f", "1.48572235717979e-05f", "6.37261928875436e-04f", "4.89352455891786e-03f"),
                p + "p = " + p + "x.mul(" + p + "p);",
                "FloatVector " + p + "q = " + p + "x2.fma(" + k("1.19825839466702e-06f") + ", " + k("1.18534705686654e-04f") + ");",
                horner(p + "q", p + "x2", "2.26843463243900e-03f", "4.89352518554385e-03f"),
                out + " = " + p + "p.div(" + p + "q).blend(" + a + ", " + a + ".abs().compare(VectorOperators.LT, " + k("0.0004f") + "));");
    }

    /**
     * The part of e^x that {@link #exp} and {@link #sigmoid} share, for the clamped {@code <p>x} already declared:
     * {@code <p>t} (1.5 * 2^23 + n, n = round(x / ln2), whose low bits are n), {@code <p>n}, {@code <p>r = x - n ln2}
     * (ln2 in two parts) and {@code <p>y = e^r} (Cephes' degree-6 polynomial).
     */
    private static String expCore(String p) {
        return String.join("\n",
                "final FloatVector " + p + "t = " + p + "x.mul(" + k("1.44269504088896341f") + ").add(" + k("12582912f") + ");",
                "final FloatVector " + p + "n = " + p + "t.sub(" + k("12582912f") + ");",
                "FloatVector " + p + "r = " + p + "n.fma(" + k("-0.693359375f") + ", " + p + "x);",
                p + "r = " + p + "n.fma(" + k("2.12194440e-4f") + ", " + p + "r);",
                "FloatVector " + p + "y = " + k("1.9875691500E-4f") + ";",
                horner(p + "y", p + "r", "1.3981999507E-3f", "8.3334519073E-3f", "4.1665795894E-2f", "1.6666665459E-1f", "5.0000001201E-1f"),
                p + "y = " + p + "y.fma(" + p + "r.mul(" + p + "r), " + p + "r).add(" + k("1f") + ");");
    }

    /** The natural logarithm, Cephes' logf (as {@code ScalarMath.log}). */
    public static String log(String arg, String out) {
        String p = out + "_", a = p + "a";
        return String.join("\n",
                "final FloatVector " + a + " = " + arg + ";",
                "final VectorMask<Float> " + p + "sub = " + a + ".compare(VectorOperators.LT, " + k("Float.MIN_NORMAL") + ");",
                "final FloatVector " + p + "x = " + a + ".blend(" + a + ".mul(" + k("8388608f") + "), " + p + "sub);",
                "final IntVector " + p + "bits = " + p + "x.reinterpretAsInts();",
                "FloatVector " + p + "e = " + p + "bits.lanewise(VectorOperators.LSHR, 23).add(" + ki(0x4B400000 - 126) + ").reinterpretAsFloats().sub(" + k("12582912f") + ");",
                p + "e = " + p + "e.blend(" + p + "e.sub(" + k("23f") + "), " + p + "sub);",
                "final FloatVector " + p + "m = " + p + "bits.and(" + ki(0x007fffff) + ").or(" + ki(0x3f000000) + ").reinterpretAsFloats();",
                "final VectorMask<Float> " + p + "lo = " + p + "m.compare(VectorOperators.LT, " + k("0.707106781186547524f") + ");",
                p + "e = " + p + "e.blend(" + p + "e.sub(" + k("1f") + "), " + p + "lo);",
                "final FloatVector " + p + "t = " + p + "m.sub(" + k("1f") + ").blend(" + p + "m.add(" + p + "m).sub(" + k("1f") + "), " + p + "lo);",
                "final FloatVector " + p + "z = " + p + "t.mul(" + p + "t);",
                "FloatVector " + p + "y = " + k("7.0376836292E-2f") + ";",
                horner(p + "y", p + "t", "-1.1514610310E-1f", "1.1676998740E-1f", "-1.2420140846E-1f", "1.4249322787E-1f",
                        "-1.6668057665E-1f", "2.0000714765E-1f", "-2.4999993993E-1f", "3.3333331174E-1f"),
                p + "y = " + p + "y.mul(" + p + "t).mul(" + p + "z);",
                p + "y = " + p + "e.fma(" + k("-2.12194440e-4f") + ", " + p + "y);",
                p + "y = " + p + "z.fma(" + k("-0.5f") + ", " + p + "y);",
                out + " = " + p + "e.fma(" + k("0.693359375f") + ", " + p + "t.add(" + p + "y))"
                        + ".blend(" + k("Float.NEGATIVE_INFINITY") + ", " + a + ".compare(VectorOperators.EQ, " + k("0f") + "))"
                        + ".blend(" + k("Float.NaN") + ", " + a + ".compare(VectorOperators.LT, " + k("0f") + ").or(" + a + ".compare(VectorOperators.NE, " + a + ")))"
                        + ".blend(" + k("Float.POSITIVE_INFINITY") + ", " + a + ".compare(VectorOperators.EQ, " + k("Float.POSITIVE_INFINITY") + "));");
    }

    /**
     * erf, a rational function (odd degree 13 over even degree 8, the coefficients of Eigen's and XLA's float erf) of x
     * clamped to [-4, 4], the quotient clamped to [-1, 1] (as {@code ScalarMath.erf}). 17 lane operations and no exp:
     * small enough that C2 keeps every vector of a GELU kernel in registers on JDK 17 too (the former
     * {@code 1 - p(t) e^{-x^2}} form had an exp inside and 52 operations, past C2's inlining node budget there).
     */
    public static String erf(String arg, String out) {
        String p = out + "_";
        return String.join("\n",
                "final FloatVector " + p + "x = " + arg + ".min(" + k("4f") + ").max(" + k("-4f") + ");",
                "final FloatVector " + p + "x2 = " + p + "x.mul(" + p + "x);",
                "FloatVector " + p + "p = " + p + "x2.fma(" + k("-2.72614225801306e-10f") + ", " + k("2.77068142495902e-08f") + ");",
                horner(p + "p", p + "x2", "-2.10102402082508e-06f", "-5.69250639462346e-05f", "-7.34990630326855e-04f",
                        "-2.95459980854025e-03f", "-1.60960333262415e-02f"),
                p + "p = " + p + "x.mul(" + p + "p);",
                "FloatVector " + p + "q = " + p + "x2.fma(" + k("-1.45660718464996e-05f") + ", " + k("-2.13374055278905e-04f") + ");",
                horner(p + "q", p + "x2", "-1.68282697438203e-03f", "-7.37332916720468e-03f", "-1.42647390514189e-02f"),
                out + " = " + p + "p.div(" + p + "q).min(" + k("1f") + ").max(" + k("-1f") + ");");
    }

    /**
     * The constant vector of float literal {@code c} ({@code "0.5f"}), a static final field of the runtime's
     * VectorConstants: C2 folds it, where a broadcast in the kernel would be parsed as a chain of inlined calls.
     */
    static String k(String c) { return "VectorConstants." + constantName(c); }

    /** The constant int vector of {@code c}. */
    static String ki(int c) { return "VectorConstants.I" + (c < 0 ? "M" : "") + Math.abs(c); }

    /** The field name of float literal {@code c}: {@code 0.693359375f} -> {@code F0_693359375}, {@code -0.5f} -> {@code FM0_5}. */
    static String constantName(String c) {
        if (c.equals("Float.POSITIVE_INFINITY")) return "INF";
        if (c.equals("Float.NEGATIVE_INFINITY")) return "MINUS_INF";
        if (c.equals("Float.NaN")) return "NAN";
        if (c.equals("Float.MIN_NORMAL")) return "MIN_NORMAL";
        String v = c.endsWith("f") ? c.substring(0, c.length() - 1) : c;
        return "F" + v.replace("-", "M").replace(".", "_").replace("+", "");
    }

    /** Horner steps {@code acc = x.fma(acc, c)} for each coefficient ({@code acc.fma(x, c)} when acc is the polynomial). */
    private static String horner(String acc, String x, String... cs) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < cs.length; i++) {
            if (i > 0) s.append('\n');
            s.append(acc).append(" = ").append(acc).append(".fma(").append(x).append(", ").append(k(cs[i])).append(");");
        }
        return s.toString();
    }
}
