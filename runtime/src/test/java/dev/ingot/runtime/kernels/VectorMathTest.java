package dev.ingot.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorMath#log} against its scalar twin in {@link ScalarMath} (bit for bit: the same result in every JIT tier
 * and for vector lanes and scalar tails) and against float64.
 */
class VectorMathTest {
    private static final int L = Simd.L;

    private static float[] inputs(float lo, float hi) {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] specials = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1e-30f, 3e-4f, 0.5f, 0.70710677f, 1.4142135f};
        int n = 200_000;
        float[] x = new float[n + specials.length + L];
        System.arraycopy(specials, 0, x, 0, specials.length);
        for (int i = specials.length; i < x.length; i++) {
            x[i] = i % 3 == 0 ? Float.intBitsToFloat(rnd.nextInt()) : (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return x;
    }

    private static void twins(String name, UnaryOperator<FloatVector> v, UnaryOperator<Float> s, float lo, float hi) {
        float[] x = inputs(lo, hi);
        float[] out = new float[L];
        for (int i = 0; i + L <= x.length; i += L) {
            v.apply(FloatVector.fromArray(Simd.F, x, i)).intoArray(out, 0);
            for (int j = 0; j < L; j++) {
                float want = s.apply(x[i + j]);
                if (Float.floatToIntBits(want) != Float.floatToIntBits(out[j])) {
                    fail(name + "(" + x[i + j] + "): vector " + out[j] + ", scalar " + want);
                }
            }
        }
    }

    private static void accurate(String name, UnaryOperator<Float> f, DoubleUnaryOperator ref, float lo, float hi, double tol) {
        for (float x : inputs(lo, hi)) {
            double want = ref.applyAsDouble(x);
            float got = f.apply(x);
            if (Double.isNaN(want) || Double.isInfinite(want) || (float) want == 0f || Float.isInfinite((float) want)) {
                assertEquals((float) want, got, 0f, name + "(" + x + ")");
                continue;
            }
            double err = Math.abs(got - want) / Math.max(Math.abs(want), Float.MIN_NORMAL);
            if (err > tol && Math.abs(got - want) > Math.max(2 * Math.ulp((float) want), 1e-37)) {   // 1e-37: flushed subnormals
                fail(name + "(" + x + ") = " + got + ", float64 " + want + ", error " + err);
            }
        }
    }

    @Test
    void vectorAndScalarTwinsAgreeBitForBit() {
        twins("log", VectorMath::log, ScalarMath::log, 0, 100);
    }

    @Test
    void closeToFloat64() {
        accurate("log", ScalarMath::log, Math::log, 0, 100, 2e-7);
    }
}
