package dev.ingot.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.kernels.ScalarMath;
import dev.ingot.runtime.model.CompiledModel;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A row kernel's phase with a polynomial (softmax's exp) is emitted as a method of its own, called per row, and its
 * reduction (the row sum) runs after it over the stored values; a row kernel without one stays one method. The
 * results are those of the scalar definition: the same operations in the same order (rows of 37: two vectors of 16
 * lanes and a scalar tail of 5).
 */
class RowPhaseMethodTest {
    static final String MODEL = """
        model Rows {
          input  x: f32[batch, 37]
          output p = softmax(x)
          output c = x - mean(x, axis = 1, keepdims = true)
        }
        """;

    @Test
    void softmaxExpPhaseIsAMethodOfItsOwnAndGivesTheScalarResult() {
        Compiler.Result r = Compiler.compile(SourceFile.of("rows.ingot", null, MODEL, true), Compiler.Options.defaults().withTraining(false));
        String code = r.source().code();
        var phase = Pattern.compile("private void (k\\d+_\\w+_p\\d+)\\(int o0").matcher(code);
        assertTrue(phase.find(), "no phase method in\n" + code);
        String name = phase.group(1);
        assertTrue(code.contains(name + "(o0"), "the row kernel does not call " + name);
        assertFalse(phase.find(), "only the softmax's exp phase is a method of its own");

        int rows = 40, n = 37;
        float[] x = new float[rows * n];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextDouble(-30, 30);
        CompiledModel m = r.instantiate(rows);
        System.arraycopy(x, 0, m.inputF32("x"), 0, x.length);
        m.predict(rows);
        float[] p = m.output(0);
        for (int i = 0; i < rows; i++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) max = Math.max(max, x[i * n + j]);
            double sum = 0;
            for (int j = 0; j < n; j++) sum += ScalarMath.exp(x[i * n + j] - max);
            for (int j = 0; j < n; j++) {
                double want = ScalarMath.exp(x[i * n + j] - max) / sum;
                assertEquals(want, p[i * n + j], 1e-6 * Math.max(1e-3, want), "row " + i + ", element " + j);
            }
        }
    }

    /**
     * A row kernel's phase with a polynomial becomes a method of its own also when a reduction of the same phase sums
     * values the phase does not store: a layer norm's backward (its {@code pow(var, -1.5)}) fused with a GELU's had
     * its row sum of products beside GELU's exp, the mix after which JDK 17's C2 boxed vectors (55 KB per step of
     * this model in one JVM of six). Now the phase's method stores the exp and the row sum's loop computes its
     * products again.
     */
    @Test
    void aReductionOfUnstoredValuesLeavesThePolynomialToAMethodOfItsOwn() {
        int checked = 0;
        for (String m : methodsOf(DeterministicSourceTest.MODEL)) {
            if (!m.contains("Math.pow(") || !ACCUMULATOR.matcher(m).find()) continue;
            checked++;
            assertFalse(m.contains("VectorConstants.F1_44269504088896341"), "GELU's exp beside the layer norm's row sum in\n" + m);
            assertTrue(Pattern.compile("_p\\d+\\(o0").matcher(m).find(), "no phase method called in\n" + m);
        }
        assertTrue(checked >= 1, "no layer norm backward row kernel with a row sum found");
    }

    /**
     * No generated method holds both a polynomial and a vector accumulator, in any entry point (the training step,
     * evaluate's log-sum-exp, predict): the mix after which JDK 17's C2 boxed vectors. The heavy values a row sum
     * needs are stored by their own phase method and read back ({@code Rows.kernel}).
     */
    @Test
    void noMethodHasBothAPolynomialAndAVectorAccumulator() {
        int polynomials = 0;
        for (String m : methodsOf(DeterministicSourceTest.MODEL)) {
            boolean polynomial = m.contains("VectorConstants.F1_44269504088896341") || m.contains("VectorConstants.FM2_76076847742355eM16");
            if (polynomial) polynomials++;
            assertFalse(polynomial && ACCUMULATOR.matcher(m).find(), "a polynomial beside a vector accumulator in\n" + m);
        }
        assertTrue(polynomials >= 3, "expected the polynomials of sigmoid, tanh and exp; found them in " + polynomials + " methods");
    }

    /** A vector accumulator's declaration in generated code. */
    private static final Pattern ACCUMULATOR = Pattern.compile("FloatVector a\\d+ = FloatVector.broadcast");

    /** The generated class of {@code model} cut into its members, each from its declaration to the next one's. */
    private static java.util.List<String> methodsOf(String model) {
        String code = Compiler.compile(SourceFile.of("m.ingot", null, model, true), Compiler.Options.defaults()).source().code();
        var decl = Pattern.compile("\\n    (?:private|public) [^\\n]*\\(").matcher(code);
        java.util.List<Integer> starts = new java.util.ArrayList<>();
        while (decl.find()) starts.add(decl.start());
        starts.add(code.length());
        java.util.List<String> methods = new java.util.ArrayList<>();
        for (int i = 0; i + 1 < starts.size(); i++) methods.add(code.substring(starts.get(i), starts.get(i + 1)));
        return methods;
    }
}
