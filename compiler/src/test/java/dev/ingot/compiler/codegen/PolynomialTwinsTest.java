package dev.ingot.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.kernels.ScalarMath;
import dev.ingot.runtime.model.CompiledModel;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The generated vector code of the heavy ops ({@code VectorPolynomials}) against its scalar twins in
 * {@link ScalarMath}, bit for bit (that is what makes results independent of the JIT tier and of which elements a
 * vector loop leaves to its scalar tail), and the twins against float64. Rows of 1003 floats: vector lanes and a tail.
 */
class PolynomialTwinsTest {
    static final int N = 1003;
    static final String MODEL = """
        model Poly {
          input  x: f32[batch, 1003]
          output e = exp(x)
          output s = sigmoid(x)
          output t = tanh(x)
          output l = log(x)
          output g = gelu(x)
          output f = erf(x)
        }
        """;

    static float[] inputs() {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] specials = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 88.72f, 88.73f, -103.97f, -104f, -87f, -87.01f, -86.99f, 1e-30f, 3e-4f, -3e-4f, 7.9f, -8f, 0.5f,
            0.70710677f, 1.4142135f};
        int rows = 200;
        float[] x = new float[rows * N];
        System.arraycopy(specials, 0, x, 0, specials.length);
        for (int i = specials.length; i < x.length; i++) {
            int kind = rnd.nextInt(4);
            x[i] = kind == 0 ? (float) rnd.nextDouble(-110, 90) : kind == 1 ? (float) rnd.nextDouble(-10, 10)
                    : kind == 2 ? (float) rnd.nextDouble(0, 2) : (float) Math.exp(rnd.nextDouble(-90, 88));
        }
        return x;
    }

    @Test
    void vectorCodeAndScalarTwinsAgreeBitForBit() {
        float[] x = inputs();
        int rows = x.length / N;
        CompiledModel m = Compiler.compile(SourceFile.of("poly.ingot", null, MODEL, true), Compiler.Options.defaults().withTraining(false)).instantiate(rows);
        System.arraycopy(x, 0, m.inputF32("x"), 0, x.length);
        m.predict(rows);
        String[] names = {"exp", "sigmoid", "tanh", "log", "gelu", "erf"};
        for (int o = 0; o < names.length; o++) {
            float[] y = m.output(o);
            for (int i = 0; i < x.length; i++) {
                float want = switch (o) {
                    case 0 -> ScalarMath.exp(x[i]);
                    case 1 -> ScalarMath.sigmoid(x[i]);
                    case 2 -> ScalarMath.tanh(x[i]);
                    case 3 -> ScalarMath.log(x[i]);
                    case 4 -> 0.5f * x[i] * (1f + ScalarMath.erf(x[i] * 0.70710677f));
                    default -> ScalarMath.erf(x[i]);
                };
                if (o == 4 && !Float.isFinite(x[i])) continue;   // gelu's composite code, not a twin, at +-inf
                if (Float.floatToIntBits(want) != Float.floatToIntBits(y[i]) && !(o == 4 && Math.abs(want - y[i]) <= 2 * Math.ulp(want))) {
                    fail(names[o] + "(" + x[i] + "): vector " + y[i] + ", scalar twin " + want + " (element " + i % N + " of a row)");
                }
            }
        }
    }

    @Test
    void scalarTwinsAreCloseToFloat64() {
        accurate("exp", ScalarMath::exp, Math::exp, -110, 90, 2e-7, false);
        accurate("log", ScalarMath::log, Math::log, 0, 100, 2e-7, false);
        accurate("tanh", ScalarMath::tanh, Math::tanh, -10, 10, 4e-7, true);
        accurate("sigmoid", ScalarMath::sigmoid, x -> 1 / (1 + Math.exp(-x)), -20, 20, 4e-7, false);
        accurate("erf", ScalarMath::erf, dev.ingot.compiler.ops.Erf::erf, -6, 6, 3.5e-7, true);
    }

    private static void accurate(String name, java.util.function.Function<Float, Float> f, DoubleUnaryOperator ref, double lo, double hi,
            double tol, boolean absolute) {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < 200_000; i++) {
            float x = (float) rnd.nextDouble(lo, hi);
            double want = ref.applyAsDouble(x);
            float got = f.apply(x);
            if (Double.isInfinite(want) || (float) want == 0f || Float.isInfinite((float) want)) {
                assertEquals((float) want, got, 0f, name + "(" + x + ")");
                continue;
            }
            double err = Math.abs(got - want) / Math.max(Math.abs(want), absolute ? 1 : Float.MIN_NORMAL);
            if (err > tol && Math.abs(got - want) > Math.max(2 * Math.ulp((float) want), 1e-37)) {   // 1e-37: flushed subnormals
                fail(name + "(" + x + ") = " + got + ", float64 " + want + ", error " + err);
            }
        }
    }
}
