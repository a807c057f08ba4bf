package dev.ingot.runtime.data;

import dev.ingot.runtime.model.TrainConfig;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A generated sequence-to-sequence task for encoder-decoders: reverse a random sequence of digits.
 *
 * <p>Tokens: {@link #PAD} = 0 (not used by the generated data), {@link #START} = 1, symbols from 2:
 * ten digits 2..11 (fewer when {@code vocab < 12}: 2..vocab-1). Each example is a random sequence
 * of {@code length} symbols; fields {@code src} (i32 [length], input), {@code tgt_in}
 * (i32 [length], input: START followed by the target without its last token, for teacher
 * forcing) and {@code tgt} (i32 [length], target: {@code src} reversed). Train and test splits
 * come from generators with different seeds, so they are independent draws.
 */
public final class ReverseTask {
    /** Data source kind of the train block: {@code reverse(count = 20000, length = 20)}. */
    public static final String KIND = "reverse";
    /** Options of {@link #KIND}. */
    public static final List<String> OPTIONS = List.of("count", "test_count", "length", "vocab", "seed");
    public static final int PAD = 0, START = 1, FIRST_SYMBOL = 2, SYMBOLS = 10;
    public static final int DEFAULT_COUNT = 20000, DEFAULT_TEST_COUNT = 2000, DEFAULT_LENGTH = 20, DEFAULT_VOCAB = 32;
    public static final long DEFAULT_SEED = 1;
    /** Added to the seed for the test split's generator. */
    static final long TEST_SEED_OFFSET = 0x632BE59BD9B4E019L;

    private ReverseTask() {}

    /**
     * {@code count} examples of sequences of {@code length} symbols from a generator seeded with
     * {@code seed}; {@code vocab} (at least 3) bounds the symbols to {@code 2 .. min(vocab, 12) - 1}.
     */
    public static Dataset generate(int count, int length, int vocab, long seed) {
        if (count < 0) throw new IllegalArgumentException("count must be >= 0, got " + count);
        if (length < 1) throw new IllegalArgumentException("length must be at least 1, got " + length);
        if (vocab < 3) throw new IllegalArgumentException("vocab must be at least 3 (PAD, START and a symbol), got " + vocab);
        if ((long) count * length > Integer.MAX_VALUE) throw new IllegalArgumentException("count * length is too large: " + count + " * " + length);
        int symbols = symbols(vocab);
        SplittableRandom r = new SplittableRandom(seed);
        int[] src = new int[count * length], tgtIn = new int[count * length], tgt = new int[count * length];
        for (int e = 0; e < count; e++) {
            int o = e * length;
            for (int i = 0; i < length; i++) src[o + i] = FIRST_SYMBOL + r.nextInt(symbols);
            for (int i = 0; i < length; i++) tgt[o + i] = src[o + length - 1 - i];
            tgtIn[o] = START;
            System.arraycopy(tgt, o, tgtIn, o + 1, length - 1);
        }
        int[] shape = {length};
        return Dataset.of(Dataset.Field.i32("src", shape, src, Dataset.Role.INPUT),
                          Dataset.Field.i32("tgt_in", shape, tgtIn, Dataset.Role.INPUT),
                          Dataset.Field.i32("tgt", shape, tgt, Dataset.Role.TARGET));
    }

    /** Number of distinct symbols for a vocabulary size: {@code min(10, vocab - 2)}. */
    public static int symbols(int vocab) { return Math.min(SYMBOLS, vocab - FIRST_SYMBOL); }

    /** Split {@code "train"} ({@code count} examples) or {@code "test"} ({@code test_count}) of a {@code reverse} data source. */
    static Dataset dataset(TrainConfig.DataSpec spec, String split) {
        DataOptions o = new DataOptions(spec, OPTIONS);
        int count = o.integer("count", DEFAULT_COUNT, 1, Integer.MAX_VALUE);
        int testCount = o.integer("test_count", DEFAULT_TEST_COUNT, 0, Integer.MAX_VALUE);
        int length = o.integer("length", DEFAULT_LENGTH, 1, 1 << 20);
        int vocab = o.integer("vocab", DEFAULT_VOCAB, 3, Integer.MAX_VALUE);
        long seed = o.seed("seed", DEFAULT_SEED);
        boolean test = DataOptions.isTest(split);
        int n = test ? testCount : count;
        if ((long) n * length > Integer.MAX_VALUE / 3) {
            throw new dev.ingot.runtime.io.DataFormatException("data kind reverse: " + n + " examples of length " + length + " is too large");
        }
        return generate(n, length, vocab, test ? seed + TEST_SEED_OFFSET : seed);
    }
}
