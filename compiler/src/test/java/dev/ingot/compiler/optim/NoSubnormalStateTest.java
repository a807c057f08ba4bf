package dev.ingot.compiler.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.model.CompiledModel;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Optimizer state never holds a float subnormal (see {@link Optimizer#flushTiny}): a feature that is nonzero in the
 * first step only leaves a moment that decays by beta1 (or the momentum) every step, through the subnormal range after
 * ~900 steps unless it is flushed; a feature of 1e-20 gives a gradient whose square times (1 - beta2) is subnormal at once.
 */
class NoSubnormalStateTest {
    static String model(String optimizer) {
        return """
                model Tiny {
                  input x: f32[batch, 3]
                  param w: [3, 1] = glorot_uniform
                  output y = x @ w
                  loss = mean(square(y - 1))
                  train { optimizer: %s, batch: 4, epochs: 1 }
                }
                """.formatted(optimizer);
    }

    @ParameterizedTest
    @ValueSource(strings = {"adam(lr = 0.001)", "adamw(lr = 0.001)", "sgd(lr = 0.001, momentum = 0.9)"})
    void momentsDecayToZeroWithoutPassingThroughSubnormals(String optimizer) {
        Compiler.Result res = Compiler.compile(SourceFile.of("tiny.ingot", null, model(optimizer), true), Compiler.Options.defaults());
        CompiledModel m = res.instantiate(4);
        m.initialize(1);
        float[] x = m.inputF32("x");
        int nonzeroMoments = 0;
        for (int step = 0; step < 1500; step++) {
            for (int r = 0; r < 4; r++) {
                x[r * 3] = step == 0 ? 1f : 0f;  // feature 0: a gradient in the first step, exactly 0 afterwards
                x[r * 3 + 1] = 1e-20f;           // feature 1: a gradient around 1e-20 in every step
                x[r * 3 + 2] = 0.5f;
            }
            m.trainStep(0, 4);
            for (Map.Entry<String, float[]> e : m.tensors().entrySet()) {
                if (!e.getKey().startsWith("opt.")) continue;
                float[] v = e.getValue();
                for (int i = 0; i < v.length; i++) {
                    if (v[i] != 0 && Math.abs(v[i]) < Float.MIN_NORMAL) {
                        throw new AssertionError(optimizer + ": " + e.getKey() + "[" + i + "] = " + v[i] + " is subnormal after step " + (step + 1));
                    }
                    if (step == 10 && i == 0 && v[i] != 0) nonzeroMoments++;
                }
            }
        }
        assertNotEquals(0, nonzeroMoments, "the first feature's moment is nonzero early on (the test exercises the decay)");
        for (Map.Entry<String, float[]> e : m.tensors().entrySet()) {
            if (e.getKey().startsWith("opt.") && (e.getKey().endsWith(".m") || e.getKey().endsWith(".momentum"))) {
                assertEquals(0f, e.getValue()[0], e.getKey() + "[0] has decayed to exactly 0");
            }
        }
    }
}
