package dev.ingot.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.diag.CompileError;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13: sizes, numbers and bytes beyond what Java or float32 hold are positioned DSL errors, not crashes. */
class InputLimitsTest {
    @TempDir Path tmp;

    private static final String HEAD = "model M {\n  input x: f32[batch, 784]\n  label y: i32[batch]\n";

    private static CompileError error(String text) {
        return assertThrows(CompileError.class, () -> Compiler.compile(SourceFile.of("m.ingot", null, text, true), Compiler.Options.defaults()));
    }

    private static void check(String text, String message, int line, int col) {
        CompileError e = error(text);
        assertTrue(e.getMessage().contains(message), e.render());
        assertEquals(line + ":" + col, e.loc().line() + ":" + (e.loc().col() + 1), "position of: " + e.render());
    }

    @Test void aParameterLargerThanAJavaArray() {
        check(HEAD + "  param w: [784, 3000000] = zeros\n  output h = x @ w\n}\n",
                "a tensor of shape [784, 3000000] has 2,352,000,000 elements, more than a Java array holds (2,147,483,639)", 4, 12);
        check(HEAD + "  layer fc = dense(784, 3000000)\n  output h = fc(x)\n}\n", "has 2,352,000,000 elements", 4, 14);
    }

    @Test void anIntermediateLargerThanAJavaArrayPerExample() {
        check(HEAD + "  input z: i32[batch, 2]\n  output h = one_hot(z, 2000000000)\n}\n",
                "a tensor of shape [batch, 2, 2000000000] has 4,000,000,000 elements per example, more than a Java array holds", 5, 14);
    }

    @Test void anIntegerBeyondInt() {
        check(HEAD + "  output h = one_hot(y, 10000000000)\n}\n", "one_hot(): argument 'depth' must be an integer up to 2147483647, got the number 10000000000", 4, 14);
    }

    @Test void nonFiniteLiteralsAreErrors() {
        check(HEAD + "  output h = x * 1e999\n}\n", "number 1e999 is beyond the range of float32", 4, 18);
        check(HEAD + "  output h = x * 1e39\n}\n", "number 1e39 is beyond the range of float32", 4, 18);
        check(HEAD + "  output logits = x\n  loss = softmax_cross_entropy(logits, y)\n  train {\n    optimizer: sgd(lr = 1e999)\n    batch: 8, epochs: 1\n  }\n}\n",
                "number 1e999 is beyond the range of float32", 7, 25);
    }

    @Test void zeroSizesArePositioned() {
        check(HEAD + "  output h = causal_mask(0)\n}\n", "a dimension of size 0 in [0, 0]", 4, 14);
        check(HEAD + "  param w: [784, 0] = zeros\n  output h = x @ w\n}\n", "dimension 1 must be a positive integer or batch, got the number 0", 4, 12);
    }

    @Test void metricMseNeedsAnMseLoss() {
        String vae = HEAD + "  output r = x\n  loss = mse(r, x) + 0.1 * mean(r)\n  train {\n    optimizer: adam(lr = 0.001)\n    metric: mse\n  }\n}\n";
        check(vae, "metric mse reports the loss as the test MSE, but this model's loss is not mse(...)", 8, 13);
        Compiler.compile(SourceFile.of("m.ingot", null, vae.replace(" + 0.1 * mean(r)", ""), true), Compiler.Options.defaults().withTraining(false));
    }

    @Test void aModelLargerThanTheHeapFailsBeforeAllocating() {
        // 80 GB of parameters: more than any heap a test runs with; `check` and `instantiate` both say where
        StringBuilder m = new StringBuilder("model Big {\n  input x: f32[batch, 46000]\n");
        for (int i = 0; i < 10; i++) m.append("  param w").append(i).append(": [46000, 46000] = zeros\n");
        m.append("  output h = x");
        for (int i = 0; i < 10; i++) m.append(" @ w").append(i);
        m.append("\n}\n");
        SourceFile src = SourceFile.of("big.ingot", null, m.toString(), true);
        CompileError e = assertThrows(CompileError.class, () -> Compiler.check(src, Compiler.Options.defaults()));
        assertTrue(e.getMessage().startsWith("model Big needs at least 80,7"), e.render());
        assertTrue(e.getMessage().contains("more than the JVM's heap of " + String.format("%,d MB", Runtime.getRuntime().maxMemory() >> 20)
                + "; the largest parameter, w0 [46000, 46000], alone takes 8,071 MB"), e.render());
        assertEquals("3:3", e.loc().line() + ":" + (e.loc().col() + 1), e.render());
        assertTrue(e.render().startsWith("big.ingot:3:3: error: model Big needs at least"), e.render());
        var r = Compiler.compile(src, Compiler.Options.defaults().withTraining(false));
        CompileError atLoad = assertThrows(CompileError.class, () -> r.instantiate(1));
        assertEquals(e.render(), atLoad.render());
    }

    @Test void anArenaLargerThanAJavaArrayAtTheTrainBatchIsPositioned() {
        // each value fits an array per example, but the working memory at batch 4096 does not
        String m = HEAD + "  h = one_hot(y, 1000000)\n  output logits = h\n  loss = softmax_cross_entropy(logits, y)\n"
                + "  train {\n    optimizer: sgd(lr = 0.1)\n    batch: 4096, epochs: 1\n  }\n}\n";
        CompileError e = assertThrows(CompileError.class, () -> Compiler.check(SourceFile.of("m.ingot", null, m, true), Compiler.Options.defaults()));
        assertTrue(e.getMessage().startsWith("model M needs an arena (working memory) of ") && e.getMessage().contains(" floats at batch 4096, more than a Java array holds (2,147,483,639)"),
                e.render());
        assertTrue(e.getMessage().contains("[batch, 1000000] (15,625 MB at batch 4096), is computed here"), e.render());
        assertEquals("4:7", e.loc().line() + ":" + (e.loc().col() + 1), e.render());
        Compiler.check(SourceFile.of("m.ingot", null, m.replace("batch: 4096", "batch: 16"), true), Compiler.Options.defaults());
    }

    @Test void workingMemoryBeyondTheHeapPointsAtTheLargestValue() {
        // 7 MB of parameters, but [batch, 1000000] activations (and their gradients) at batch 128
        String m = HEAD + "  param w: [784, 1] = zeros\n  param s: [1, 1000000] = ones\n  output logits = (x @ w) * s\n  loss = softmax_cross_entropy(logits, y)\n"
                + "  train {\n    optimizer: sgd(lr = 0.1)\n    batch: 128, epochs: 1\n  }\n}\n";
        var model = Frontend.compile(SourceFile.of("m.ingot", null, m, true));
        var entries = Compiler.entries(model, Compiler.Options.defaults());
        var leaves = new java.util.ArrayList<>(model.inputs());
        leaves.addAll(model.outputs().values());
        var schedules = entries.stream().map(dev.ingot.compiler.codegen.JavaEmitter.Entry::schedule).toList();
        long heap = 1L << 30;   // 1 GB: the parameters fit, the working memory does not
        CompileError e = assertThrows(CompileError.class, () -> dev.ingot.compiler.memory.MemoryBudget.check("M", model.params(), leaves, schedules, 128, heap));
        assertTrue(e.getMessage().matches("model M needs at least [0-9,]+ MB \\(parameters and optimizer state [0-9,]+ MB, working memory at batch 128 [0-9,]+ MB\\),"
                + " more than the JVM's heap of 1,024 MB; the largest value of the working memory, .* \\[batch, 1000000\\] \\(488 MB at batch 128\\), is computed here"), e.render());
        assertEquals(6, e.loc().line(), e.render());
        dev.ingot.compiler.memory.MemoryBudget.check("M", model.params(), leaves, schedules, 1, heap);   // fits at batch 1
    }

    @Test void repeatHasALimit() {
        check(HEAD + "  layer s = repeat(100000, dense, 784, 784)\n  output h = s(x)\n}\n", "at most 10000 copies", 4, 13);
    }

    @Test void invalidUtf8IsAPositionedError() throws Exception {
        Path f = tmp.resolve("bad.ingot");
        byte[] head = (HEAD + "  output h = relu(x) // caf").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] bytes = java.util.Arrays.copyOf(head, head.length + 4);
        bytes[head.length] = (byte) 0xE9; // Latin-1 'é'
        bytes[head.length + 1] = '\n';
        bytes[head.length + 2] = '}';
        bytes[head.length + 3] = '\n';
        Files.write(f, bytes);
        CompileError e = assertThrows(CompileError.class, () -> SourceFile.read(f));
        assertEquals("the file is not valid UTF-8: byte 0xE9 at offset " + head.length, e.getMessage());
        assertEquals("4:28", e.loc().line() + ":" + (e.loc().col() + 1));
        assertTrue(e.render().startsWith(f + ":4:28: error: "), e.render());
    }

    @Test void aBinaryFileIsShownWithoutControlCharacters() throws Exception {
        Path f = tmp.resolve("junk.ingot");
        byte[] junk = new byte[100_000];
        new java.util.SplittableRandom(3).nextBytes(junk);
        junk[0] = 'm';
        junk[1] = 0;
        junk[2] = (byte) 0xFF;
        Files.write(f, junk);
        CompileError e = assertThrows(CompileError.class, () -> SourceFile.read(f));
        assertEquals("the file is not valid UTF-8: byte 0xFF at offset 2", e.getMessage());
        String r = e.render();
        assertTrue(r.chars().noneMatch(c -> c < 32 && c != '\n'), "no control characters: " + r);
        assertTrue(r.split("\n")[1].startsWith("    m?"), r);
        assertTrue(r.length() < 1000, r);
    }

    @Test void longLinesAreCutAroundTheError() {
        String junk = "a".repeat(100_000);
        CompileError e = error(HEAD + "  output h = x + " + junk + "\n}\n");
        String r = e.render();
        assertTrue(r.length() < 1500, "cut: " + r.length() + " characters");
        String[] lines = r.split("\n");
        assertTrue(lines[1].startsWith("    ") && lines[1].endsWith("..."), lines[1]);
        assertTrue(lines[0].contains("unknown name 'aaaa") && lines[0].endsWith("characters)"), lines[0]);
    }
}
