package dev.ingot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.runtime.io.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit codes, messages without stack traces, files written. */
class MainTest {
    @TempDir Path tmp;

    record Run(int code, String err) {}

    static Run run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
        return new Run(code, err.toString());
    }

    static Path example(String name) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent())
            if (Files.exists(p.resolve("dsl-examples").resolve(name))) return p.resolve("dsl-examples").resolve(name);
        throw new IllegalStateException(name);
    }

    @Test void checkIsSilentOnAGoodModel() {
        Run r = run("check", example("mnist_mlp.ingot").toString());
        assertEquals(0, r.code());
        assertEquals("", r.err());
    }

    @Test void dslErrorsExitWith2AndShowTheLine() throws Exception {
        Path bad = tmp.resolve("bad.ingot");
        Files.writeString(bad, "model M {\n  input x: f32[batch, 4]\n  output y = rleu(x)\n}\n");
        Run r = run("check", bad.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith(bad + ":3:14: error: unknown name 'rleu'; did you mean 'relu'?"), r.err());
        assertTrue(r.err().contains("  output y = rleu(x)\n") && r.err().contains("^^^^"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }

    @Test void usageErrorsExitWith2() {
        assertEquals(2, run("train").code());
        assertEquals(2, run("check", "--no-such-option", "x.ingot").code());
        Run missing = run("check", tmp.resolve("nope.ingot").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such model file"), missing.err());
    }

    @Test void missingDataIsARuntimeError() {
        Run r = run("train", example("mnist_mlp.ingot").toString(), "--data", tmp.toString(), "--quiet");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertTrue(r.err().contains(tmp.toString()), "names the directory: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }

    @Test void compileWritesTheClass() throws Exception {
        Run r = run("compile", example("mnist_mlp.ingot").toString(), "-o", tmp.toString(), "--package", "demo", "--dump-ir");
        assertEquals(0, r.code(), r.err());
        String src = Files.readString(tmp.resolve("demo/MnistMlp.java"));
        assertTrue(src.contains("public final class MnistMlp extends CompiledModel"));
        assertTrue(src.contains("// mnist_mlp.ingot:12"), "kernels carry their DSL line");
        assertTrue(Files.exists(tmp.resolve("ir/trainStep.final.ir")));
    }

    @Test void trainWritesMetricsAndACheckpoint() throws Exception {
        Path metrics = tmp.resolve("m.json"), ckpt = tmp.resolve("w.safetensors");
        Run r = run("train", example("mnist_mlp.ingot").toString(), "--epochs", "1", "--limit-train", "2000", "--limit-test", "1000",
                "--threads", "1", "--quiet", "--metrics", metrics.toString(), "--save", ckpt.toString());
        assertEquals(0, r.code(), r.err());
        @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(metrics));
        for (String k : new String[] {"train_loss", "test_loss", "test_accuracy", "train_examples_per_second", "epochs", "threads", "jdk"})
            assertTrue(m.containsKey(k), "metrics has " + k);
        assertTrue(((Number) m.get("test_accuracy")).doubleValue() > 0.7, "learned something: " + m.get("test_accuracy"));
        assertTrue(Files.size(ckpt) > 235_146 * 4, "checkpoint holds the parameters");
        // and training can resume from it: --epochs counts the whole run, so 2 trains the second epoch (exactness: ReliabilityTest)
        Run again = run("train", example("mnist_mlp.ingot").toString(), "--epochs", "2", "--limit-train", "2000", "--limit-test", "500",
                "--threads", "1", "--quiet", "--load", ckpt.toString(), "--save", ckpt.toString());
        assertEquals(0, again.code(), again.err());
        assertEquals("32", dev.ingot.runtime.io.SafeTensors.read(ckpt).metadata().get("steps"), "16 steps per epoch, two epochs in all");
    }
}
