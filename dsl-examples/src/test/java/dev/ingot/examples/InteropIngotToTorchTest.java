package dev.ingot.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.runtime.io.SafeTensors;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Ingot -> PyTorch, the Java half. CI cannot run PyTorch, so checkpoints saved by Ingot are
 * committed with Ingot's outputs on the fixture inputs ({@code X.ingot.safetensors},
 * {@code X.ingot-io.safetensors}); tools/interop/check_roundtrip.sh loads them into PyTorch and
 * compares. Here: the committed files still describe what Ingot computes, and (on demand) the
 * writer of those files.
 */
class InteropIngotToTorchTest {
    /** Saved weights only (from a class compiled without training): the Adam moments would triple the file. */
    private static final Set<String> WEIGHTS_ONLY = Set.of("char_lstm");
    private static final int TRAIN_STEPS = 10;

    /** The committed Ingot checkpoints reload and reproduce the committed Ingot outputs (so the Python check tests today's Ingot). */
    @Test
    void committedIngotCheckpointsReproduceIngotOutputs() throws Exception {
        for (String model : List.of("mnist_mlp", "char_lstm")) {
            Path ckpt = Interop.fixture(model + ".ingot.safetensors");
            Map<String, SafeTensors.Entry> io = Interop.read(Interop.fixture(model + ".ingot-io.safetensors"));
            CompiledModel m = Interop.compile(model, !WEIGHTS_ONLY.contains(model)).instantiate(8);
            m.load(ckpt);
            Map<String, SafeTensors.Entry> out = Interop.predict(m, io);
            double d = Interop.maxAbsDiff(out.get("logits"), io.get("logits"));
            System.out.printf("Ingot checkpoint %s reloaded: max |Ingot - committed Ingot outputs| = %.3g%n", model, d);
            assertTrue(d <= 1e-6, model + ": " + d);
        }
    }

    /**
     * Writes X.ingot.safetensors and X.ingot-io.safetensors into the directory given by the system
     * property {@code ingot.interop.out} for the models in {@code ingot.interop.models} (default all
     * three): Ingot's own initialization (seed 1), a few training steps on the fixture inputs and
     * labels, then {@link CompiledModel#save} (with the optimizer state, except for char_lstm) and
     * predict. Run by check_roundtrip.sh; see tools/interop/README.md.
     */
    @Test
    @EnabledIfSystemProperty(named = "ingot.interop.out", matches = ".+")
    void writeIngotCheckpoints() throws Exception {
        Path dir = Path.of(System.getProperty("ingot.interop.out"));
        Files.createDirectories(dir);
        String models = System.getProperty("ingot.interop.models", String.join(",", Interop.MODELS));
        for (String model : models.split(",")) {
            Map<String, SafeTensors.Entry> io = Interop.read(Interop.fixture(model + ".torch-io.safetensors"));
            CompiledModel m = Interop.compile(model, true).instantiate(8);
            m.initialize(1);
            Interop.bind(m, io, true);
            int n = Interop.batch(m, io);
            float[] losses = new float[TRAIN_STEPS];
            for (int s = 0; s < TRAIN_STEPS; s++) losses[s] = m.trainStep(n);
            CompiledModel saved = m;
            if (WEIGHTS_ONLY.contains(model)) {
                saved = Interop.compile(model, false).instantiate(8);
                for (TensorSpec p : m.spec().params()) System.arraycopy(m.param(p.name()), 0, saved.param(p.name()), 0, p.numelPerExample());
            }
            Path ckpt = dir.resolve(model + ".ingot.safetensors");
            saved.save(ckpt);
            Map<String, SafeTensors.Entry> out = Interop.predict(saved, io);
            Interop.writeIo(dir.resolve(model + ".ingot-io.safetensors"), m, io, true, out, ckpt,
                    "ingot (" + InteropIngotToTorchTest.class.getSimpleName() + ")",
                    Map.of("training", "initialize(1), " + TRAIN_STEPS + " steps, losses " + Arrays.toString(losses)));
            System.out.printf("%s: losses %s; %d tensors -> %s%n", model, Arrays.toString(losses), saved.tensorSpecs().size(), ckpt);
        }
    }
}
