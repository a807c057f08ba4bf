package dev.ingot.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.ingot.runtime.data.CharCorpus;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.ModelSpec;
import dev.ingot.runtime.model.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generation against a hand-written model whose answers are known. */
class SamplerTest {
    @TempDir Path tmp;

    /**
     * A "successor" character model: at every position, the logit of the id after the input id
     * (mod vocab) is {@code margin}, all others 0. It records the windows it was given.
     */
    static final class Successor extends CompiledModel {
        final int seq, vocab;
        final float margin;
        final int[] ids;
        final float[] logits;
        final List<int[]> windows = new ArrayList<>();

        Successor(int seq, int vocab, float margin) {
            super(1);
            this.seq = seq;
            this.vocab = vocab;
            this.margin = margin;
            this.ids = new int[seq];
            this.logits = new float[seq * vocab];
        }

        @Override public ModelSpec spec() {
            int B = TensorSpec.BATCH;
            return new ModelSpec("successor", null, List.of(new TensorSpec("ids", DType.I32, new int[] {B, seq})), List.of(),
                    List.of(new TensorSpec("logits", DType.F32, new int[] {B, seq, vocab})), List.of(), List.of(), null);
        }

        @Override public void predict(int n) {
            windows.add(ids.clone());
            Arrays.fill(logits, 0);
            for (int t = 0; t < seq; t++) logits[t * vocab + (ids[t] + 1) % vocab] = margin;
        }

        @Override public float trainStep(int n) { throw new UnsupportedOperationException(); }
        @Override public float evaluate(int n) { throw new UnsupportedOperationException(); }
        @Override public float[] inputF32(String name) { throw new IllegalArgumentException(name); }
        @Override public int[] inputI32(String name) { return ids; }
        @Override public float[] output(int i) { return logits; }
        @Override public float[] param(String name) { throw new IllegalArgumentException(name); }
        @Override public float[] state(String name) { throw new IllegalArgumentException(name); }
        @Override public void initialize(long seed) {}
    }

    private CharCorpus corpus(String text) throws Exception {
        Path f = tmp.resolve("c.txt");
        Files.writeString(f, text);
        return CharCorpus.read(f);
    }

    @Test
    void windowPaddingSlidingAndTheLastPosition() throws Exception {
        CharCorpus c = corpus(" abcdef\n"); // ids: '\n' 0, ' ' 1, a 2 .. f 7
        Successor m = new Successor(4, 8, 100f);
        StringBuilder streamed = new StringBuilder();
        String out = new Sampler(m, c).generate("ab", 5, 1.0, 0, 1, streamed::append);
        assertEquals("cdef\n", out, "the successor of the last character, every time (f + 1 wraps to '\\n')");
        assertEquals(out, streamed.toString(), "each character is passed on as it is made");
        assertArrayEquals(new int[] {1, 1, 2, 3}, m.windows.get(0), "left-padded with spaces");
        assertArrayEquals(new int[] {1, 2, 3, 4}, m.windows.get(1), "slides");
        assertArrayEquals(new int[] {4, 5, 6, 7}, m.windows.get(4));

        m.windows.clear();
        new Sampler(m, c).generate("fedcba", 1, 1.0, 0, 1, s -> {});
        assertArrayEquals(new int[] {5, 4, 3, 2}, m.windows.get(0), "a long prompt is cut to its last characters");
        m.windows.clear();
        assertEquals(" ab", new Sampler(m, c).generate("", 3, 1.0, 0, 1, s -> {}), "an empty prompt starts from a newline");
        assertArrayEquals(new int[] {1, 1, 1, 0}, m.windows.get(0));
    }

    /** How often the successor was picked, over {@code n} characters from the prompt "a". */
    private static double successorRate(Sampler s, CharCorpus c, int n, double temperature, int topK, long seed) {
        String prev = "a";
        String out = s.generate("a", n, temperature, topK, seed, x -> {});
        int hits = 0;
        for (int i = 0; i < n; i++) {
            int before = c.id((i == 0 ? prev : out.substring(i - 1, i)).codePointAt(0));
            if (c.id(out.codePointAt(i)) == (before + 1) % c.size()) hits++;
        }
        return (double) hits / n;
    }

    @Test
    void temperatureTopKAndSeeds() throws Exception {
        CharCorpus c = corpus(" abcdef\n");
        Sampler s = new Sampler(new Successor(4, 8, (float) Math.log(7)), c); // p(successor) = 7 / (7 + 7 * 1) = 1/2
        assertEquals(0.5, successorRate(s, c, 4000, 1.0, 0, 1), 0.03);
        assertEquals(Math.sqrt(7) / (Math.sqrt(7) + 7), successorRate(s, c, 4000, 2.0, 0, 2), 0.03, "T = 2 flattens");
        assertEquals(0.875, successorRate(s, c, 4000, 1.0, 2, 3), 0.03, "top-2: the successor and one other, 7 : 1");
        assertEquals(1.0, successorRate(s, c, 500, 1.0, 1, 4), "top-1 is greedy");
        assertTrue(successorRate(s, c, 500, 0.05, 0, 5) > 0.99, "a low temperature is nearly greedy");
        assertEquals(s.generate("ab", 300, 1.0, 0, 42, x -> {}), s.generate("ab", 300, 1.0, 0, 42, x -> {}), "deterministic for a seed");
        assertNotEquals(s.generate("ab", 300, 1.0, 0, 42, x -> {}), s.generate("ab", 300, 1.0, 0, 43, x -> {}));
    }

    @Test
    void clearErrors() throws Exception {
        CharCorpus c = corpus(" abcdef\n");
        Sampler s = new Sampler(new Successor(4, 8, 1f), c);
        Errors.UsageException e = assertThrows(Errors.UsageException.class, () -> s.generate("a Zebra\t!", 5, 1, 0, 1, x -> {}));
        assertEquals("the prompt has characters that are not in the vocabulary of " + tmp.resolve("c.txt") + " (8 characters): 'Z', 'r', '\\t', '!'",
                e.getMessage());
        assertThrows(Errors.UsageException.class, () -> s.generate("a", 0, 1, 0, 1, x -> {}));
        assertThrows(Errors.UsageException.class, () -> s.generate("a", 5, 0, 0, 1, x -> {}));
        assertThrows(Errors.UsageException.class, () -> s.generate("a", 5, Double.NaN, 0, 1, x -> {}));
        e = assertThrows(Errors.UsageException.class, () -> new Sampler(new Successor(4, 9, 1f), c));
        assertEquals("sample needs the model's first output to be logits f32[batch, 4, 8] (the sequence length of input 'ids' and the 8 characters of "
                + tmp.resolve("c.txt") + "); model successor has logits: f32[batch, 4, 9]", e.getMessage());
    }
}
