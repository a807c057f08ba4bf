package dev.ingot.cli;

import dev.ingot.runtime.data.CharCorpus;
import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.ModelSpec;
import dev.ingot.runtime.model.TensorSpec;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Generates text with a character model: one i32 input {@code [batch, seq]} of character ids and
 * a first output of logits {@code [batch, seq, vocab]}, the next character's scores at every position.
 *
 * <p>The model sees a window of the last {@code seq} characters, right-aligned: a shorter context
 * is left-padded (with spaces, or newlines, or id 0, whichever the vocabulary has first), a longer
 * one cut to its last {@code seq} characters; an empty prompt starts from a newline. Each step runs
 * {@code predict(1)}, takes the logits at the last position, divides them by the temperature,
 * optionally keeps the {@code topK} largest (exactly {@code topK}: ties go to the lower id), samples from their softmax with a seeded
 * {@link SplittableRandom}, appends the character and slides the window.
 */
final class Sampler {
    private final CompiledModel model;
    private final CharCorpus corpus;
    private final String input;
    private final int seq, vocab;

    /** Checks that {@code model} is a character model over {@code corpus}; a {@link Errors.UsageException} says what does not fit. */
    Sampler(CompiledModel model, CharCorpus corpus) {
        ModelSpec s = model.spec();
        if (s.inputs().size() != 1 || s.inputs().get(0).dtype() != DType.I32 || s.inputs().get(0).shape().length != 2
                || s.inputs().get(0).shape()[0] != TensorSpec.BATCH) {
            throw new Errors.UsageException("sample needs a model with one input of character ids, i32[batch, seq]; model " + s.name()
                    + " has " + (s.inputs().isEmpty() ? "no inputs" : "inputs " + describe(s.inputs())));
        }
        TensorSpec in = s.inputs().get(0);
        this.seq = in.shape()[1];
        this.vocab = corpus.size();
        int[] want = {TensorSpec.BATCH, seq, vocab};
        if (s.outputs().isEmpty() || s.outputs().get(0).dtype() != DType.F32 || !Arrays.equals(s.outputs().get(0).shape(), want)) {
            throw new Errors.UsageException("sample needs the model's first output to be logits f32[batch, " + seq + ", " + vocab
                    + "] (the sequence length of input '" + in.name() + "' and the " + vocab + " characters of " + corpus.file() + "); model "
                    + s.name() + " has " + (s.outputs().isEmpty() ? "no outputs" : describe(s.outputs().subList(0, 1))));
        }
        this.model = model;
        this.corpus = corpus;
        this.input = in.name();
    }

    /** Window length. */
    int seq() { return seq; }

    /**
     * Generates {@code length} characters after {@code prompt}, passing each to {@code sink} as it
     * is made, and returns them. The prompt must only have vocabulary characters.
     */
    String generate(String prompt, int length, double temperature, int topK, long seed, Consumer<String> sink) {
        if (length < 1) throw new Errors.UsageException("--length must be at least 1, got " + length);
        if (!(temperature > 0) || Double.isInfinite(temperature)) throw new Errors.UsageException("--temperature must be a number > 0, got " + temperature);
        if (topK < 0) throw new Errors.UsageException("--top-k must be >= 0 (0: all characters), got " + topK);
        var unknown = corpus.unknown(prompt);
        if (!unknown.isEmpty()) {
            throw new Errors.UsageException("the prompt has characters that are not in the vocabulary of " + corpus.file() + " ("
                    + vocab + " characters): " + CharCorpus.show(unknown));
        }
        int pad = firstOf(' ', '\n');
        int[] window = new int[seq];
        Arrays.fill(window, pad);
        int[] context = prompt.isEmpty() ? new int[] {firstOf('\n', ' ')} : corpus.encode(prompt);
        int n = Math.min(seq, context.length);
        System.arraycopy(context, context.length - n, window, seq - n, n);

        SplittableRandom rnd = new SplittableRandom(seed);
        int[] ids = model.inputI32(input);
        double[] p = new double[vocab];
        boolean[] keep = topK > 0 && topK < vocab ? new boolean[vocab] : null;
        StringBuilder out = new StringBuilder(length);
        int off = (seq - 1) * vocab;
        for (int step = 0; step < length; step++) {
            System.arraycopy(window, 0, ids, 0, seq);
            model.predict(1);
            float[] logits = model.output(0);
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                double z = logits[off + v] / temperature;
                if (!Double.isFinite(z)) {
                    throw new DataFormatException("the model gave a non-finite logit (" + logits[off + v] + "); are the checkpoint's weights finite?");
                }
                p[v] = z;
                max = Math.max(max, z);
            }
            if (keep != null) { // exactly topK: the largest, ties to the lower id
                Arrays.fill(keep, false);
                for (int k = 0; k < topK; k++) {
                    int best = -1;
                    for (int v = 0; v < vocab; v++) if (!keep[v] && (best < 0 || p[v] > p[best])) best = v;
                    keep[best] = true;
                }
                for (int v = 0; v < vocab; v++) if (!keep[v]) p[v] = Double.NEGATIVE_INFINITY;
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) sum += p[v] = Math.exp(p[v] - max);
            double u = rnd.nextDouble() * sum;
            int next = vocab - 1;
            for (int v = 0; v < vocab; v++) {
                u -= p[v];
                if (u < 0) {
                    next = v;
                    break;
                }
            }
            while (p[next] == 0) next--; // rounding left u >= 0 at the end: the last character with mass
            String c = corpus.decode(next);
            out.append(c);
            sink.accept(c);
            System.arraycopy(window, 1, window, 0, seq - 1);
            window[seq - 1] = next;
        }
        return out.toString();
    }

    /** The id of the first of these characters the vocabulary has, else 0. */
    private int firstOf(int... chars) {
        for (int c : chars) if (corpus.contains(c)) return corpus.id(c);
        return 0;
    }

    private static String describe(java.util.List<TensorSpec> l) {
        return String.join(", ", l.stream().map(t -> t.name() + ": " + t.dtype().dslName() + t.shapeString()).toList());
    }
}
