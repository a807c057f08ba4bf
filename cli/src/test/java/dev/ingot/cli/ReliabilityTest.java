package dev.ingot.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.runtime.io.SafeTensors;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13: a run fails early and loudly, loses nothing, and resumes exactly. */
class ReliabilityTest {
    @TempDir Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** A small MNIST perceptron with the given optimizer and schedule lines. */
    Path mlp(String name, String optimizer, String schedule, boolean dropout) throws Exception {
        Path data = MainTest.example("data/mnist");
        Path f = tmp.resolve(name + ".ingot");
        Files.writeString(f, "model " + name + " {\n"
                + "  input  pixels: f32[batch, 784]\n  label  digit: i32[batch]\n"
                + "  layer  fc1 = dense(784, 32, activation = relu)\n  layer  out = dense(32, 10)\n"
                + "  output logits = pixels |> fc1" + (dropout ? " |> dropout(0.2)" : "") + " |> out\n"
                + "  loss   = softmax_cross_entropy(logits, digit)\n"
                + "  train {\n    optimizer: " + optimizer + "\n    schedule: " + schedule + "\n    batch: 64, epochs: 2\n"
                + "    data: mnist(\"" + data.toString().replace("\\", "/") + "\")\n  }\n}\n");
        return f;
    }

    static String[] train(Path model, String... more) {
        List<String> a = new ArrayList<>(List.of("train", model.toString(), "--limit-train", "320", "--limit-test", "64", "--threads", "1", "--quiet"));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    @Test void aDivergingRunStopsWithTheStepAndCauseAndKeepsTheOldCheckpoint() throws Exception {
        // the MNIST example with a learning rate a million times too high: NaN at step 3
        Path m = tmp.resolve("diverge.ingot");
        Files.writeString(m, Files.readString(MainTest.example("mnist_mlp.ingot")).replace("lr = 0.05", "lr = 1e6")
                .replace("\"data/mnist\"", "\"" + MainTest.example("data/mnist").toString().replace("\\", "/") + "\""));
        Path ckpt = Files.writeString(tmp.resolve("good.safetensors"), "an earlier, good checkpoint");
        Run r = run(train(m, "--epochs", "1", "--save", ckpt.toString()));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("error: training diverged at step 3 (epoch 1): the loss is NaN."), r.err());
        assertTrue(r.err().contains("learning rate") && r.err().contains("lr 1000000.0"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        assertEquals("an earlier, good checkpoint", Files.readString(ckpt), "not overwritten");

        Run keepGoing = run(train(m, "--epochs", "1", "--allow-non-finite", "--save", ckpt.toString()));
        assertEquals(1, keepGoing.code(), "trains to the end, but never over an existing checkpoint");
        assertTrue(keepGoing.err().contains("not saving " + ckpt + ": "), keepGoing.err());
        assertEquals("an earlier, good checkpoint", Files.readString(ckpt));
        Path fresh = tmp.resolve("nan.safetensors");
        assertEquals(0, run(train(m, "--epochs", "1", "--allow-non-finite", "--save", fresh.toString())).code(), "asked for, to a new file");
        assertTrue(Files.exists(fresh));
    }

    @Test void aModelLargerThanTheHeapIsAPositionedErrorOfCheckAndTrain() throws Exception {
        // 80 GB of parameters: reported at the parameter's line before anything is allocated or any data read
        StringBuilder text = new StringBuilder("model Big {\n  input x: f32[batch, 46000]\n  label y: i32[batch]\n");
        for (int i = 0; i < 10; i++) text.append("  param w").append(i).append(": [46000, 46000] = zeros\n");
        text.append("  output logits = x");
        for (int i = 0; i < 10; i++) text.append(" @ w").append(i);
        text.append("\n  loss = softmax_cross_entropy(logits, y)\n  train {\n    optimizer: sgd(lr = 0.1)\n    batch: 8, epochs: 1\n"
                + "    data: mnist(\"no/such/dir\")\n  }\n}\n");
        Path m = Files.writeString(tmp.resolve("big.ingot"), text.toString());
        for (String[] args : List.of(new String[] {"check", m.toString()}, train(m))) {
            Run r = run(args);
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().startsWith(m + ":4:3: error: model Big needs at least 80,7"), r.err());
            assertTrue(r.err().contains("more than the JVM's heap of ") && r.err().contains("the largest parameter, w0 [46000, 46000], alone takes 8,071 MB"), r.err());
            assertTrue(r.err().contains("\n      param w0: [46000, 46000] = zeros\n      ^^^"), r.err());
            assertFalse(r.err().contains("\tat "), "no stack trace");
        }
    }

    @Test void resumedRunsEqualOneRunBitForBit() throws Exception {
        record Case(String optimizer, String schedule, boolean dropout, String[] plan) {}
        List<Case> cases = List.of(
                new Case("sgd(lr = 0.1, momentum = 0.9)", "cosine", false, new String[] {"--steps", "12"}),
                new Case("adam(lr = 0.003)", "cosine(warmup = 4)", false, new String[] {"--epochs", "2"}),
                new Case("adamw(lr = 0.003, weight_decay = 0.1)", "linear(warmup = 3)", true, new String[] {"--steps", "12"}));
        int i = 0;
        for (Case c : cases) {
            Path m = mlp("Resume" + i++, c.optimizer(), c.schedule(), c.dropout());
            Path whole = tmp.resolve(m.getFileName() + ".whole.safetensors"), half = tmp.resolve(m.getFileName() + ".half.safetensors"),
                    resumed = tmp.resolve(m.getFileName() + ".resumed.safetensors");
            assertEquals(0, run(train(m, concat(c.plan(), "--save", whole.toString()))).code());
            // 320 examples in batches of 64: 5 steps per epoch, so step 7 is mid-epoch
            assertEquals(0, run(train(m, concat(c.plan(), "--stop-after", "7", "--save", half.toString()))).code());
            Run r = run(train(m, concat(c.plan(), "--load", half.toString(), "--save", resumed.toString())));
            assertEquals(0, r.code(), r.err());
            Map<String, SafeTensors.Entry> a = SafeTensors.read(whole).tensors(), b = SafeTensors.read(resumed).tensors(),
                    h = SafeTensors.read(half).tensors();
            assertEquals(a.keySet(), b.keySet());
            for (String k : a.keySet()) assertArrayEquals(a.get(k).f32(), b.get(k).f32(), c.optimizer() + ": " + k);
            assertFalse(java.util.Arrays.equals(a.get("fc1.w").f32(), h.get("fc1.w").f32()), "the half run is not the whole run");
            assertEquals("7", SafeTensors.read(half).metadata().get("steps"));
            assertEquals(c.plan()[0].equals("--steps") ? "12" : "10", SafeTensors.read(resumed).metadata().get("steps"));

            Run again = run(train(m, concat(c.plan(), "--load", whole.toString())));
            assertEquals(1, again.code(), "nothing left to train");
            assertTrue(again.err().contains("nothing left to train"), again.err());
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test void optionsAndOutputPathsAreCheckedBeforeTraining() throws Exception {
        String mlp = MainTest.example("mnist_mlp.ingot").toString();
        Run proc = run("train", mlp, "--save", "/proc/w.safetensors");
        assertEquals(2, proc.code());
        assertTrue(proc.err().startsWith("error: --save: cannot write /proc/w.safetensors"), proc.err());
        Files.writeString(tmp.resolve("file"), "");
        Run metrics = run("train", mlp, "--metrics", tmp.resolve("file/m.json").toString());
        assertEquals(2, metrics.code());
        assertTrue(metrics.err().startsWith("error: --metrics: cannot write"), metrics.err());
        Run dir = run("train", mlp, "--samples", tmp.toString());
        assertEquals(2, dir.code());
        assertTrue(dir.err().contains("is a directory"), dir.err());
        Run threads = run("train", mlp, "--threads", "1000");
        assertEquals(2, threads.code());
        assertTrue(threads.err().contains("--threads must be from 1 to 256"), threads.err());
        Run batch = run("train", mlp, "--batch", "100000");
        assertEquals(2, batch.code());
        assertTrue(batch.err().contains("--batch 100000 is larger than the limit"), batch.err());
        assertEquals(2, run("bench", mlp, "--batch", "100000").code());
        Run length = run("sample", MainTest.example("char_lstm.ingot").toString(), "--load", "x", "--length", "2147483647");
        assertEquals(2, length.code());
        assertTrue(length.err().contains("--length must be from 1 to"), length.err());

        Path png = tmp.resolve("s.png"), ckpt = tmp.resolve("w.safetensors");
        Run samples = run("train", mlp, "--samples", png.toString(), "--save", ckpt.toString(), "--limit-train", "100", "--quiet");
        assertEquals(2, samples.code());
        assertTrue(samples.err().contains("--samples needs a model whose first input is a square image (e.g. 28x28) and with an output of the same size"), samples.err());
        assertFalse(Files.exists(ckpt));
    }

    @Test void aValidationTextBeyondTheVocabularyFailsBeforeTraining() throws Exception {
        // 40 characters in the training part; the held-out tenth adds 30 more, beyond char_rnn's 65
        StringBuilder text = new StringBuilder();
        var rnd = new java.util.SplittableRandom(1);
        for (int i = 0; i < 9000; i++) text.append((char) ('0' + rnd.nextInt(40)));
        for (int i = 0; i < 1000; i++) text.append((char) ('0' + rnd.nextInt(70)));
        Path corpus = Files.writeString(tmp.resolve("text.txt"), text.toString());
        Path ckpt = tmp.resolve("w.safetensors");
        Run r = run("train", MainTest.example("char_rnn.ingot").toString(), "--data", corpus.toString(), "--steps", "1", "--quiet",
                "--save", ckpt.toString(), "--threads", "1");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("error: the test data hold a value the model cannot take: "), r.err());
        assertTrue(r.err().contains("id 68 at position 16 is outside the table's 65 rows"), r.err());
        assertFalse(Files.exists(ckpt));
    }

    @Test void everyCommandPrintsHelp() {
        // every subcommand Main declares (but picocli's own `help`)
        java.util.Set<String> commands = new picocli.CommandLine(new Main()).getSubcommands().keySet();
        assertTrue(commands.containsAll(List.of("train", "sample", "bench", "compile", "check", "summary", "plot")), commands.toString());
        for (String cmd : commands) {
            if (cmd.equals("help")) continue;
            Run r = run(cmd, "--help");
            assertEquals(0, r.code(), cmd + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: ingot " + cmd), cmd + ": " + r.out());
        }
    }
}
