package dev.ingot.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.runtime.io.Checkpoint;
import dev.ingot.runtime.io.SafeTensors;
import dev.ingot.runtime.model.CompiledModel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PyTorch -> Ingot: weights exported from the PyTorch twins (tools/interop/export.py) load into the
 * generated classes, which then give PyTorch's outputs on the committed inputs within 1e-4.
 */
class InteropTorchToIngotTest {
    @ParameterizedTest
    @ValueSource(strings = {"mnist_mlp", "mnist_cnn", "char_lstm"})
    void pytorchWeightsGivePyTorchOutputs(String model) throws Exception {
        Map<String, SafeTensors.Entry> io = Interop.read(Interop.fixture(model + ".torch-io.safetensors"));
        CompiledModel m = Interop.compile(model, false).instantiate(8);
        m.load(Interop.fixture(model + ".torch.safetensors"));       // an inference-only model has no optimizer state
        Map<String, SafeTensors.Entry> out = Interop.predict(m, io);
        for (String name : out.keySet()) {
            double d = Interop.maxAbsDiff(out.get(name), io.get(name));
            System.out.printf("PyTorch -> Ingot %s %s: max |Ingot - PyTorch| = %.3g (max |PyTorch| %.3g)%n",
                    model, name, d, Interop.maxAbs(io.get(name)));
            assertTrue(d <= Interop.TOLERANCE, model + " " + name + ": max abs difference " + d + " > " + Interop.TOLERANCE);
            assertEquals(1.0, Interop.argmaxAgreement(out.get(name), io.get(name)), model + ": predicted classes differ");
        }
    }

    /** A model compiled for training also has optimizer and dropout-RNG state, which a PyTorch export lacks: load weights only. */
    @Test
    void trainableCnnLoadsPyTorchWeightsOnlyAndPredictsWithoutDropout() throws Exception {
        Path weights = Interop.fixture("mnist_cnn.torch.safetensors");
        Map<String, SafeTensors.Entry> io = Interop.read(Interop.fixture("mnist_cnn.torch-io.safetensors"));
        CompiledModel m = Interop.compile("mnist_cnn", true).instantiate(8);
        m.initialize(3);

        m.load(weights);   // a weights-only file: the class's optimizer and random state keep their values
        Checkpoint.LoadResult r = Checkpoint.load(weights, m, true);
        assertEquals(8, r.loaded().size());
        assertTrue(r.skipped().contains("rng.seed") && r.skipped().contains("opt.fc1.w.m"), r.skipped().toString());
        assertEquals("MnistCnn", r.metadata().get("model"));
        double d = Interop.maxAbsDiff(Interop.predict(m, io).get("logits"), io.get("logits"));
        System.out.printf("PyTorch -> Ingot mnist_cnn (trainable class, weights only): max |Ingot - PyTorch| = %.3g%n", d);
        assertTrue(d <= Interop.TOLERANCE, "max abs difference " + d);
    }
}
