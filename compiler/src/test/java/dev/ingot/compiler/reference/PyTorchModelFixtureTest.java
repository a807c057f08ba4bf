package dev.ingot.compiler.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.io.SafeTensors;
import dev.ingot.runtime.model.CompiledModel;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The generated code of the {@code mlp} workload against PyTorch ({@code mlp_model.safetensors}):
 * logits and loss at the fixture's weights, the gradients (one SGD step at learning rate 1
 * without momentum), and the parameters after two steps of SGD with momentum and of Adam.
 */
class PyTorchModelFixtureTest {
    static final Map<String, String> NAMES = Map.of("w1", "fc1.w", "b1", "fc1.b", "w2", "fc2.w", "b2", "fc2.b", "w3", "out.w", "b3", "out.b");

    static String model(String optimizer) {
        return """
            model Mlp {
              input  x: f32[batch, 784]
              label  y: i32[batch]
              layer  fc1 = dense(784, 256, activation = relu)
              layer  fc2 = dense(256, 128, activation = relu)
              layer  out = dense(128, 10)
              output logits = out(fc2(fc1(x)))
              loss = softmax_cross_entropy(logits, y)
              train { optimizer: %s, batch: 16 }
            }""".formatted(optimizer);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {"sgd(lr = 1); grad; 1", "sgd(lr = 0.05, momentum = 0.9); sgd.step2; 2", "adam(lr = 1e-3); adam.step2; 2"})
    void matchesPyTorch(String optimizer, String expected, int steps) throws IOException {
        CompiledModel m = Compiler.compile(SourceFile.of("mlp.ingot", null, model(optimizer), true), Compiler.Options.defaults()).instantiate(16);
        try (SafeTensors.Reader f = SafeTensors.open(PyTorchFixturesTest.Fixtures.dir().resolve("mlp_model.safetensors"))) {
            for (var e : NAMES.entrySet()) f.readF32(f.info(e.getKey()), m.param(e.getValue()));
            f.readF32(f.info("x"), m.inputF32("x"));
            f.readI32(f.info("labels"), m.inputI32("y"));
            float loss = m.evaluate(16);
            assertEquals(f.readF32("loss")[0], loss, 1e-5, "loss");
            PyTorchFixturesTest.compare(f.readF32("logits"), PyTorchFixturesTest.toDouble(java.util.Arrays.copyOf(m.output(0), 160)), "logits");
            Map<String, float[]> before = new java.util.HashMap<>();
            for (var e : NAMES.entrySet()) before.put(e.getKey(), m.param(e.getValue()).clone());
            for (int s = 0; s < steps; s++) m.trainStep(16);
            for (var e : NAMES.entrySet()) {
                float[] now = m.param(e.getValue());
                if (expected.equals("grad")) {
                    float[] want = f.readF32("d" + e.getKey()), b = before.get(e.getKey());
                    for (int k = 0; k < want.length; k++) assertEquals(want[k], b[k] - now[k], 2e-6 + 1e-3 * Math.abs(want[k]), "gradient of " + e.getKey() + "[" + k + "]");
                } else {
                    // NOTE: Adam divides by sqrt(v) + eps, so where gradients are tiny (~eps) float32 rounding of
                    // the gradient moves the update by up to ~1% of lr; the tolerance is 1% of one step (lr 1e-3).
                    float[] want = f.readF32(expected + "." + e.getKey());
                    double tol = expected.startsWith("adam") ? 1e-5 : 1e-6;
                    for (int k = 0; k < want.length; k++) assertEquals(want[k], now[k], tol + 1e-4 * Math.abs(want[k]), expected + " " + e.getKey() + "[" + k + "]");
                }
            }
        }
    }
}
