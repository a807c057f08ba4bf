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
 * {@link VectorMath} against its scalar twins in {@link ScalarMath} (bit for bit: that is what makes results
 * independent of the JIT tier, of vector/tail splits and so of chunk boundaries) and against float64 references.
 */
class VectorMathTest {
    private static final int L = Simd.L;

    private static float[] inputs(float lo, float hi) {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] specials = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 88.72f, 88.73f, -103.97f, -104f, 1e-30f, 3e-4f, -3e-4f, 7.9f, -8f, 0.5f};
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
            double err = Math.abs(got - want) / Math.max(Math.abs(want), name.equals("tanh") ? 1 : Float.MIN_NORMAL);
            if (err > tol && Math.abs(got - want) > Math.max(2 * Math.ulp((float) want), 1e-37)) {   // 1e-37: flushed subnormals
                fail(name + "(" + x + ") = " + got + ", float64 " + want + ", error " + err);
            }
        }
    }

    @Test
    void vectorAndScalarTwinsAgreeBitForBit() {
        twins("exp", VectorMath::exp, ScalarMath::exp, -110, 90);
        twins("log", VectorMath::log, ScalarMath::log, 0, 100);
        twins("tanh", VectorMath::tanh, ScalarMath::tanh, -10, 10);
        twins("sigmoid", VectorMath::sigmoid, ScalarMath::sigmoid, -20, 20);
        twins("erf", VectorMath::erf, ScalarMath::erf, -4, 4);
    }

    @Test
    void closeToFloat64() {
        accurate("exp", ScalarMath::exp, Math::exp, -110, 90, 2e-7);
        accurate("log", ScalarMath::log, Math::log, 0, 100, 2e-7);
        accurate("tanh", ScalarMath::tanh, Math::tanh, -10, 10, 4e-7);
        accurate("sigmoid", ScalarMath::sigmoid, x -> 1 / (1 + Math.exp(-x)), -20, 20, 4e-7);
    }

    @Test
    void sumIsAFixedPairwiseTree() {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] x = new float[L];
        for (int rep = 0; rep < 10_000; rep++) {
            for (int j = 0; j < L; j++) {
                x[j] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-3, 4)));
            }
            float[] t = x.clone();
            for (int s = L / 2; s >= 1; s /= 2) {
                float[] u = new float[L];
                for (int j = 0; j < L; j++) {
                    u[j] = t[j] + t[j ^ s];
                }
                t = u;
            }
            assertEquals(Float.floatToIntBits(t[0]), Float.floatToIntBits(VectorMath.sum(FloatVector.fromArray(Simd.F, x, 0))));
        }
        assertTrue(Float.isNaN(VectorMath.sum(FloatVector.broadcast(Simd.F, Float.NaN))));
    }
}
