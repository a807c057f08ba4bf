package dev.ingot.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.diag.CompileError;
import dev.ingot.runtime.model.CompiledModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** sign, clip/clamp, f32()/i32() and the rule for mixed i32/f32 arithmetic, through the generated code. */
class CastsAndSignTest {
    static final String MODEL = """
            model Casts {
              input x: f32[batch, 4]
              input k: i32[batch, 4]
              output mixed = k * 1.0 + k / 2 + f32(k)                // i32 operands are converted to f32
              output s = sign(x) + clip(x, -0.5, 0.5) * 10 + clamp(x, 0, 1) * 100
              output t = f32(i32(x * 3))                              // truncation toward zero
              output hot = one_hot(i32(clip(x, 0, 0.99) * 4), 4)
              output same = f32(k == i32(x))
            }
            """;

    @ParameterizedTest(name = "vector {0}")
    @ValueSource(booleans = {true, false})
    void generatedCodeFollowsTheRules(boolean vector) {
        CompiledModel m = Compiler.compile(SourceFile.of("casts.ingot", null, MODEL, true), Compiler.Options.defaults().withVector(vector)).instantiate(3);
        float[] x = m.inputF32("x");
        int[] k = m.inputI32("k");
        float[] xs = {-1.7f, -0.2f, 0f, 0.3f, 0.9f, 1.4f, -0.6f, 2.2f, 0.55f, -0.01f, 0.7f, 1f};
        int[] ks = {0, 1, -3, 7, 2, 5, 0, 2, 9, 0, 1, 1};
        System.arraycopy(xs, 0, x, 0, 12);
        System.arraycopy(ks, 0, k, 0, 12);
        m.predict(3);
        for (int i = 0; i < 12; i++) {
            float xi = xs[i];
            assertEquals(ks[i] + ks[i] / 2f + ks[i], m.output(0)[i], 1e-5, "mixed " + i);
            float s = Math.signum(xi) + Math.max(-0.5f, Math.min(0.5f, xi)) * 10 + Math.max(0f, Math.min(1f, xi)) * 100;
            assertEquals(s, m.output(1)[i], 1e-4, "sign/clip " + i);
            assertEquals((int) (xi * 3), m.output(2)[i], 0, "i32 " + i);
            int c = (int) (Math.max(0f, Math.min(0.99f, xi)) * 4);
            for (int j = 0; j < 4; j++) assertEquals(j == c ? 1f : 0f, m.output(3)[i * 4 + j], 0, "one_hot " + i);
            assertEquals(ks[i] == (int) xi ? 1f : 0f, m.output(4)[i], 0, "compare " + i);
        }
    }

    @Test
    void castsOfTheWrongKindAreUserErrors() {
        String bad = MODEL.replace("output same = f32(k == i32(x))", "output same = exp(k)");
        CompileError e = org.junit.jupiter.api.Assertions.assertThrows(CompileError.class,
                () -> Compiler.compile(SourceFile.of("casts.ingot", null, bad, true), Compiler.Options.defaults()));
        assertTrue(e.getMessage().contains("exp: argument 1 must be f32"), e.getMessage());
    }
}
