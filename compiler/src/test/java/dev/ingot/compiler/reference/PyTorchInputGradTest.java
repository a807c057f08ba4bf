package dev.ingot.compiler.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.io.SafeTensors;
import dev.ingot.runtime.model.CompiledModel;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gradient of the loss with respect to the input pixels ({@code inputGradients}, i.e.
 * {@code grad(loss, pixels)}) of the MNIST MLP and CNN examples against PyTorch's
 * {@code torch.autograd.grad} (fixtures by tools/reference/gen_input_grads.py; the weights are the
 * interop fixtures), within 1e-4.
 */
class PyTorchInputGradTest {
    @ParameterizedTest
    @ValueSource(strings = {"mnist_mlp", "mnist_cnn"})
    void inputGradientsMatchTorchAutogradGrad(String model) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        CompiledModel m = Compiler.compile(SourceFile.read(root.resolve("dsl-examples/" + model + ".ingot")), Compiler.Options.defaults()).instantiate(8);
        m.load(root.resolve("tools/interop/fixtures/" + model + ".torch.safetensors"));   // weights only
        try (SafeTensors.Reader f = SafeTensors.open(PyTorchFixturesTest.Fixtures.dir().resolve("input_grad_" + model + ".safetensors"))) {
            f.readF32(f.info("pixels"), m.inputF32("pixels"));
            f.readI32(f.info("digit"), m.inputI32("digit"));
            float loss = m.inputGradients(8);
            assertEquals(f.readF32("loss")[0], loss, 1e-5, "loss");
            float[] want = f.readF32("grad"), got = m.inputGradient("pixels");
            double maxDiff = 0, maxAbs = 0;
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-4, model + ": d loss / d pixels[" + i + "]");
                maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
                maxAbs = Math.max(maxAbs, Math.abs(want[i]));
            }
            // the tolerance is meaningful: the gradient is far from zero, and agrees to much better than 1e-4
            assertEquals(0, maxDiff / maxAbs, 1e-3, model + ": relative error " + maxDiff / maxAbs);
        }
    }
}
