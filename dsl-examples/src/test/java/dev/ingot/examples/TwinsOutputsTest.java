package dev.ingot.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ingot.runtime.io.SafeTensors;
import dev.ingot.runtime.model.CompiledModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The Java half of tools/twins/check_twins.sh, which checks that every PyTorch twin computes what its
 * example computes. For each {@code X.inputs.safetensors} (written by check_twins.py) in the directory
 * given by {@code ingot.twins.dir}: the example {@code dsl-examples/X.ingot} compiled without training,
 * Ingot's own initialization (seed 1), predict on those inputs; writes the weights
 * ({@code X.ingot.safetensors}) and the inputs with every output ({@code X.ingot-io.safetensors}).
 * check_twins.py then loads the weights into the twin and compares its outputs. Runs only on demand
 * (PyTorch is not available in CI).
 */
class TwinsOutputsTest {
    @Test
    @EnabledIfSystemProperty(named = "ingot.twins.dir", matches = ".+")
    void writeIngotOutputs() throws Exception {
        Path dir = Path.of(System.getProperty("ingot.twins.dir"));
        List<Path> inputs;
        try (Stream<Path> s = Files.list(dir)) {
            inputs = s.filter(p -> p.getFileName().toString().endsWith(".inputs.safetensors")).sorted().toList();
        }
        assertFalse(inputs.isEmpty(), "no *.inputs.safetensors in " + dir);
        for (Path in : inputs) {
            String model = in.getFileName().toString().replace(".inputs.safetensors", "");
            Map<String, SafeTensors.Entry> io = Interop.read(in);
            CompiledModel m = Interop.compile(model, false).instantiate(io.values().iterator().next().shape()[0]);
            m.initialize(1);
            Path ckpt = dir.resolve(model + ".ingot.safetensors");
            m.save(ckpt);
            Map<String, SafeTensors.Entry> out = Interop.predict(m, io);
            Interop.writeIo(dir.resolve(model + ".ingot-io.safetensors"), m, io, false, out, ckpt,
                    "ingot (" + TwinsOutputsTest.class.getSimpleName() + "), initialize(1)", Map.of());
            System.out.printf("%s: %d tensors -> %s; outputs %s%n", model, m.tensorSpecs().size(), ckpt, out.keySet());
        }
    }
}
