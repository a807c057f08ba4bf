package dev.ingot.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.ingot.runtime.data.CharCorpus;
import dev.ingot.runtime.io.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ingot train --steps} then {@code ingot sample} on a small character model trained here,
 * on a text written here.
 */
class SampleCommandTest {
    @TempDir static Path tmp;
    static Path model, ckpt, metrics;
    static Map<String, Object> trained;

    static final String SENTENCE = "the quick brown fox jumps over the lazy dog. ";

    static final String MODEL = """
            model Tiny {
              input  ids: i32[batch, 16]
              label  next: i32[batch, 16]
              layer  emb = embedding(VOCAB, 16)
              layer  rec = rnn(16, 48, return_sequences = true)
              layer  out = dense(48, VOCAB)
              output logits = ids |> emb |> rec |> out
              loss   = softmax_cross_entropy(logits, next)
              train { optimizer: adam(lr = 0.02), batch: 8, epochs: 2, data: chars("tiny.txt", seq = 16) }
            }
            """;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void train() throws Exception {
        Files.writeString(tmp.resolve("tiny.txt"), SENTENCE.repeat(40)); // 1800 characters, 28 distinct
        model = tmp.resolve("tiny.ingot");
        Files.writeString(model, MODEL.replace("VOCAB", "28"));
        ckpt = tmp.resolve("tiny.safetensors");
        metrics = tmp.resolve("m.json");
        Run r = run("train", model.toString(), "--steps", "150", "--eval-every", "100", "--threads", "1", "--quiet",
                "--save", ckpt.toString(), "--metrics", metrics.toString());
        assertEquals(0, r.code(), r.err());
        trained = (Map<String, Object>) Json.parse(Files.readString(metrics));
    }

    @Test
    void trainForStepsWritesValLoss() {
        assertEquals(150L, trained.get("steps"));
        assertEquals("chars", trained.get("data"));
        assertEquals(trained.get("test_loss"), trained.get("val_loss"), "the validation split is the test split");
        double val = ((Number) trained.get("val_loss")).doubleValue();
        assertTrue(val < 0.5, "a repeated sentence is easy to predict: val_loss " + val + " nats (uniform: ln 28 = 3.33)");
        assertEquals(2, ((java.util.List<?>) trained.get("history")).size(), "evaluated at step 100 and 150");
    }

    @Test
    void samplesTextOfTheVocabularyDeterministically() throws Exception {
        Run a = run("sample", model.toString(), "--load", ckpt.toString(), "--prompt", "the quick", "--length", "120", "--seed", "7");
        assertEquals(0, a.code(), a.err());
        assertEquals("", a.err());
        assertTrue(a.out().startsWith("the quick"), a.out());
        assertTrue(a.out().endsWith("\n"));
        String generated = a.out().substring("the quick".length(), a.out().length() - 1);
        assertEquals(120, generated.length());
        CharCorpus corpus = CharCorpus.read(tmp.resolve("tiny.txt"));
        assertEquals(28, corpus.size());
        assertTrue(corpus.unknown(generated).isEmpty(), generated);
        assertEquals(a, run("sample", model.toString(), "--load", ckpt.toString(), "--prompt", "the quick", "--length", "120", "--seed", "7"),
                "the same seed gives the same text");
        assertNotEquals(a.out(), run("sample", model.toString(), "--load", ckpt.toString(), "--prompt", "the quick", "--length", "120",
                "--seed", "8", "--temperature", "2").out());

        // nearly greedy, the trained model continues the sentence
        Run greedy = run("sample", model.toString(), "--load", ckpt.toString(), "--prompt", "jumps over the", "--length", "30", "--top-k", "1");
        assertEquals(0, greedy.code(), greedy.err());
        assertTrue(greedy.out().startsWith("jumps over the lazy dog. the quick"), greedy.out());

        Run empty = run("sample", model.toString(), "--load", ckpt.toString(), "--length", "40", "--temperature", "0.5");
        assertEquals(0, empty.code(), empty.err());
        assertEquals(41, empty.out().length(), "no prompt: 40 characters and a newline");
        Run longPrompt = run("sample", model.toString(), "--load", ckpt.toString(), "--prompt", SENTENCE.repeat(3), "--length", "5");
        assertEquals(0, longPrompt.code(), longPrompt.err());
        assertEquals(SENTENCE.length() * 3 + 5 + 1, longPrompt.out().length());
    }

    @Test
    void clearErrors() throws Exception {
        assertError(2, "error: the prompt has characters that are not in the vocabulary of " + tmp.resolve("tiny.txt")
                + " (28 characters): 'T', '!'", "--prompt", "The fox!");
        assertError(2, "error: --temperature must be a number > 0, got 0.0", "--temperature", "0");
        assertError(2, "error: --length must be from 1 to 10000000, got 0", "--length", "0");
        assertError(2, "error: --top-k must be >= 0 (0: all characters), got -1", "--top-k", "-1");

        Run noLoad = run("sample", model.toString());
        assertEquals(2, noLoad.code());
        assertTrue(noLoad.err().startsWith("error: Missing required option: '--load=CKPT'"), noLoad.err());

        Run missing = run("sample", model.toString(), "--load", tmp.resolve("nope.safetensors").toString());
        assertEquals(1, missing.code());
        assertEquals("error: " + tmp.resolve("nope.safetensors") + ": no such file\n", missing.err());

        Path mnist = MainTest.example("mnist_mlp.ingot");
        Run notChars = run("sample", mnist.toString(), "--load", ckpt.toString());
        assertEquals(2, notChars.code());
        assertEquals("error: " + mnist + ": sample needs a character model, whose train block reads its text with chars(\"FILE\", seq = N)"
                + " (the vocabulary comes from it); model MnistMlp reads idx data\n", notChars.err());

        Path other = tmp.resolve("other.ingot"); // same data, another width: the checkpoint does not fit
        Files.writeString(other, MODEL.replace("VOCAB", "28").replace("model Tiny", "model Other").replace("48", "40"));
        Run wrong = run("sample", other.toString(), "--load", ckpt.toString());
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().startsWith("error: checkpoint " + ckpt + ": tensor 'rec.weight_ih': checkpoint has [48, 16], model expects [40, 16]"
                + " (it was saved from model 'Tiny')"), wrong.err());

        Path vocab = tmp.resolve("vocab.ingot"); // a model whose logits do not cover the corpus
        Files.writeString(vocab, MODEL.replace("VOCAB", "30"));
        Run v = run("sample", vocab.toString(), "--load", ckpt.toString());
        assertEquals(2, v.code());
        assertEquals("error: sample needs the model's first output to be logits f32[batch, 16, 28] (the sequence length of input 'ids' and the 28"
                + " characters of " + tmp.resolve("tiny.txt") + "); model Tiny has logits: f32[batch, 16, 30]\n", v.err());
        for (Run r : new Run[] {missing, notChars, wrong, v}) assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void trainStepsOptions() {
        Run both = run("train", model.toString(), "--steps", "5", "--epochs", "1");
        assertEquals(2, both.code());
        assertEquals("error: give --epochs or --steps, not both\n", both.err());
        Run every = run("train", model.toString(), "--eval-every", "5");
        assertEquals(2, every.code());
        assertEquals("error: --eval-every needs --steps\n", every.err());
        Run negative = run("train", model.toString(), "--steps", "-3");
        assertEquals(2, negative.code());
    }

    private static void assertError(int code, String message, String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "sample";
        args[1] = model.toString();
        args[2] = "--load";
        args[3] = ckpt.toString();
        System.arraycopy(extra, 0, args, 4, extra.length);
        Run r = run(args);
        assertEquals(code, r.code(), r.err());
        assertEquals(message + "\n", r.err());
    }
}
