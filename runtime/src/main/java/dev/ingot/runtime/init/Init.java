package dev.ingot.runtime.init;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Parameter initializers, called by generated code from {@code CompiledModel.initialize(seed)}.
 * Every random initializer is deterministic given the state of the {@link SplittableRandom} it is
 * passed, on every JDK: values come only from {@link SplittableRandom#nextDouble()}, whose
 * algorithm (SplitMix64) is fixed.
 *
 * <p>Fan conventions as in Keras and PyTorch: for a dense weight {@code [in, out]}, fanIn = in
 * and fanOut = out; for a convolution kernel, fanIn = inChannels × kernel area and
 * fanOut = outChannels × kernel area.
 *
 * <p>NOTE: the normal-based initializers draw from a plain (untruncated) normal distribution, as
 * PyTorch's {@code kaiming_normal_} and {@code normal_} do. Keras' {@code he_normal},
 * {@code lecun_normal} and {@code glorot_normal} use a normal truncated at two standard deviations
 * with a corrected scale; the difference does not matter for training.
 */
public final class Init {
    private Init() {}

    public static void zeros(float[] a) { Arrays.fill(a, 0f); }

    public static void ones(float[] a) { Arrays.fill(a, 1f); }

    public static void constant(float[] a, float value) { Arrays.fill(a, value); }

    /** Independent draws from N(mean, std²). */
    public static void normal(float[] a, double mean, double std, SplittableRandom r) {
        if (!(std >= 0) || Double.isInfinite(std)) throw new IllegalArgumentException("std must be finite and >= 0, got " + std);
        // NOTE: Box–Muller by hand rather than nextGaussian(): its algorithm is not specified and the
        // JDK 17 default method differs from the legacy java.util.Random one, so results could change.
        int i = 0;
        while (i < a.length) {
            double u1 = 1.0 - r.nextDouble(); // (0, 1]: log is finite
            double u2 = r.nextDouble();
            double radius = Math.sqrt(-2.0 * Math.log(u1));
            double angle = 2.0 * Math.PI * u2;
            a[i++] = (float) (mean + std * radius * Math.cos(angle));
            if (i < a.length) a[i++] = (float) (mean + std * radius * Math.sin(angle));
        }
    }

    /** Independent draws from U[lo, hi). */
    public static void uniform(float[] a, double lo, double hi, SplittableRandom r) {
        if (!(lo <= hi) || Double.isInfinite(hi - lo)) throw new IllegalArgumentException("need finite lo <= hi, got " + lo + ", " + hi);
        double width = hi - lo;
        for (int i = 0; i < a.length; i++) a[i] = (float) (lo + width * r.nextDouble());
    }

    /** Glorot/Xavier uniform (Keras' default for dense and conv kernels): U[-l, l], l = sqrt(6 / (fanIn + fanOut)). */
    public static void glorotUniform(float[] a, int fanIn, int fanOut, SplittableRandom r) {
        double limit = Math.sqrt(6.0 / (positive("fanIn", fanIn) + positive("fanOut", fanOut)));
        uniform(a, -limit, limit, r);
    }

    /** Glorot/Xavier normal: N(0, 2 / (fanIn + fanOut)). */
    public static void glorotNormal(float[] a, int fanIn, int fanOut, SplittableRandom r) {
        normal(a, 0, Math.sqrt(2.0 / (positive("fanIn", fanIn) + positive("fanOut", fanOut))), r);
    }

    /** He/Kaiming normal, for ReLU layers: N(0, 2 / fanIn). */
    public static void heNormal(float[] a, int fanIn, SplittableRandom r) {
        normal(a, 0, Math.sqrt(2.0 / positive("fanIn", fanIn)), r);
    }

    /** He/Kaiming uniform: U[-l, l], l = sqrt(6 / fanIn). */
    public static void heUniform(float[] a, int fanIn, SplittableRandom r) {
        double limit = Math.sqrt(6.0 / positive("fanIn", fanIn));
        uniform(a, -limit, limit, r);
    }

    /** LeCun normal, for SELU layers: N(0, 1 / fanIn). */
    public static void lecunNormal(float[] a, int fanIn, SplittableRandom r) {
        normal(a, 0, Math.sqrt(1.0 / positive("fanIn", fanIn)), r);
    }

    /** LeCun uniform: U[-l, l], l = sqrt(3 / fanIn). */
    public static void lecunUniform(float[] a, int fanIn, SplittableRandom r) {
        double limit = Math.sqrt(3.0 / positive("fanIn", fanIn));
        uniform(a, -limit, limit, r);
    }

    private static int positive(String what, int v) {
        if (v <= 0) throw new IllegalArgumentException(what + " must be positive, got " + v);
        return v;
    }
}
