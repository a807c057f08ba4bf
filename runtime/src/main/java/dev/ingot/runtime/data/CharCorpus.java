package dev.ingot.runtime.data;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.model.TrainConfig;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A character-level text corpus (Karpathy's char-rnn, nanoGPT's {@code shakespeare_char}): a UTF-8
 * text file, its vocabulary (the sorted distinct characters of the whole file; tiny Shakespeare
 * has 65) and the text as vocabulary ids. A "character" is a Unicode code point.
 *
 * <p>As a dataset ({@link #windows}): the first {@code 1 - val} of the characters are the
 * training split, the rest the validation split ({@code "test"}); examples are the non-overlapping
 * windows of {@code seq} characters at stride {@code seq}, field {@code ids} (i32 [seq], input)
 * with the window and {@code next} (i32 [seq], target) with the same window shifted by one, the
 * character that follows each position.
 *
 * <pre>{@code
 * CharCorpus c = CharCorpus.read(Path.of("data/tinyshakespeare/input.txt"));
 * c.size();              // 65
 * c.encode("To be");     // ids
 * c.decode(ids);         // "To be"
 * Dataset train = c.windows(64, 0.1, "train");
 * }</pre>
 */
public final class CharCorpus {
    /** Data source kind of the train block: {@code chars("file.txt", seq = 64, val = 0.1)}. */
    public static final String KIND = "chars";
    /** Options of {@link #KIND}. */
    public static final List<String> OPTIONS = List.of("file", "seq", "val");
    /** Default validation fraction. */
    public static final double DEFAULT_VAL = 0.1;

    private final Path file;
    private final int[] vocab; // code points, ascending; the id of a character is its index
    private final int[] ids;   // the text as ids

    private CharCorpus(Path file, int[] vocab, int[] ids) {
        this.file = file;
        this.vocab = vocab;
        this.ids = ids;
    }

    /**
     * Reads a UTF-8 text file (a leading byte-order mark is dropped). Errors name the file: it does
     * not exist, cannot be read, is empty, or is not valid UTF-8 (with the offset of the first bad byte).
     */
    public static CharCorpus read(Path file) throws IOException {
        if (!Files.exists(file)) throw new DataFormatException("text file " + file + " does not exist");
        if (Files.isDirectory(file)) throw new DataFormatException("text file " + file + " is a directory, expected a UTF-8 text file");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataFormatException(file + ": cannot read: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
        String text = utf8(file, bytes);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        if (text.isEmpty()) throw new DataFormatException(file + ": the text file is empty");
        int[] cps = text.codePoints().toArray();
        int[] vocab = Arrays.stream(cps).distinct().sorted().toArray();
        int[] ids = new int[cps.length];
        for (int i = 0; i < cps.length; i++) ids[i] = Arrays.binarySearch(vocab, cps[i]);
        return new CharCorpus(file, vocab, ids);
    }

    /** The corpus of a train block's {@code chars} data source (option {@code file}, relative to {@code baseDir}). */
    public static CharCorpus load(TrainConfig.DataSpec spec, Path baseDir) throws IOException {
        if (!spec.kind().equals(KIND)) throw new DataFormatException("data kind " + spec.kind() + " is not a character corpus (expected " + KIND + ")");
        DataOptions o = new DataOptions(spec, OPTIONS);
        o.integer("seq", null, 1, Integer.MAX_VALUE);
        o.fraction("val", DEFAULT_VAL, 1);
        return read(baseDir.resolve(o.required("file", "the UTF-8 text file")));
    }

    /** Split {@code "train"} or {@code "test"} (validation) of a {@code chars} data source: {@link #windows}. */
    static Dataset dataset(TrainConfig.DataSpec spec, Path baseDir, String split) throws IOException {
        DataOptions o = new DataOptions(spec, OPTIONS);
        int seq = o.integer("seq", null, 1, 1 << 20);
        double val = o.fraction("val", DEFAULT_VAL, 1);
        String file = o.required("file", "the UTF-8 text file");
        DataOptions.isTest(split);
        return read(baseDir.resolve(file)).windows(seq, val, split);
    }

    /** The file it was read from. */
    public Path file() { return file; }

    /** Vocabulary size: the number of distinct characters. */
    public int size() { return vocab.length; }

    /** Length of the text in characters. */
    public int length() { return ids.length; }

    /** The vocabulary as one string, in id order (sorted by code point). */
    public String vocab() {
        StringBuilder sb = new StringBuilder();
        for (int cp : vocab) sb.appendCodePoint(cp);
        return sb.toString();
    }

    /** The id of a character (code point), or -1 when it is not in the vocabulary. */
    public int id(int codePoint) {
        int i = Arrays.binarySearch(vocab, codePoint);
        return i >= 0 ? i : -1;
    }

    public boolean contains(int codePoint) { return id(codePoint) >= 0; }

    /** The characters of {@code text} that are not in the vocabulary, distinct, in order of appearance. */
    public List<Integer> unknown(String text) {
        return text.codePoints().filter(cp -> !contains(cp)).distinct().boxed().collect(Collectors.toList());
    }

    /** The ids of {@code text}; a clear error listing the characters that are not in the vocabulary. */
    public int[] encode(String text) {
        List<Integer> bad = unknown(text);
        if (!bad.isEmpty()) {
            throw new DataFormatException("characters not in the vocabulary of " + file + " (" + size() + " characters): " + show(bad));
        }
        return text.codePoints().map(this::id).toArray();
    }

    /** The character of id {@code id}, as a string (a code point may take two Java chars). */
    public String decode(int id) {
        if (id < 0 || id >= vocab.length) throw new IndexOutOfBoundsException("id " + id + " is not in a vocabulary of " + vocab.length);
        return new String(Character.toChars(vocab[id]));
    }

    /** The text of a sequence of ids. */
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) sb.append(decode(id));
        return sb.toString();
    }

    /** The number of characters of the training split for validation fraction {@code val}: {@code floor((1 - val) * length)}. */
    public int trainLength(double val) {
        if (!(val >= 0 && val < 1)) throw new IllegalArgumentException("val must be in [0, 1), got " + val);
        return (int) Math.floor((1 - val) * ids.length);
    }

    /**
     * Split {@code "train"} (the first {@code 1 - val} of the characters) or {@code "test"} (the
     * validation split, the rest) as windows of {@code seq} characters: fields {@code ids} and
     * {@code next}, i32 [seq]. The last characters of a split that do not fill a window are not
     * used. With {@code val = 0} the validation split is empty.
     */
    public Dataset windows(int seq, double val, String split) {
        if (seq < 1) throw new IllegalArgumentException("seq must be at least 1, got " + seq);
        boolean test = DataOptions.isTest(split);
        if (ids.length < seq + 1) {
            throw new DataFormatException(file + ": the text has " + ids.length + " characters, fewer than seq + 1 = " + (seq + 1)
                    + " needed for one example (a window and the character after it)");
        }
        int cut = trainLength(val);
        int from = test ? cut : 0, to = test ? ids.length : cut;
        int len = to - from;
        int n = len < 1 ? 0 : (len - 1) / seq;
        if (n == 0 && (!test || val > 0)) {
            String part = test ? "validation split (the last " + percent(val) + ")" : "training split (the first " + percent(1 - val) + ")";
            throw new DataFormatException(file + ": the " + part + " has " + len + " characters, fewer than seq + 1 = " + (seq + 1)
                    + " needed for one example; use a longer text, a smaller seq" + (test ? " or a larger val" : " or a smaller val"));
        }
        int[] x = new int[n * seq], y = new int[n * seq];
        for (int i = 0; i < n; i++) {
            System.arraycopy(ids, from + i * seq, x, i * seq, seq);
            System.arraycopy(ids, from + i * seq + 1, y, i * seq, seq);
        }
        return Dataset.of(Dataset.Field.i32("ids", new int[] {seq}, x, Dataset.Role.INPUT),
                          Dataset.Field.i32("next", new int[] {seq}, y, Dataset.Role.TARGET));
    }

    /** {@code 'é', '\t', U+1F600}: characters for messages, control characters escaped. */
    public static String show(List<Integer> codePoints) {
        return codePoints.stream().map(CharCorpus::show).collect(Collectors.joining(", "));
    }

    /** One character for a message: {@code 'a'}, {@code '\n'}, {@code U+0085}. */
    public static String show(int cp) {
        return switch (cp) {
            case '\n' -> "'\\n'";
            case '\t' -> "'\\t'";
            case '\r' -> "'\\r'";
            case ' ' -> "' '";
            default -> Character.isISOControl(cp) || !Character.isDefined(cp) || Character.isWhitespace(cp)
                    ? String.format(Locale.ROOT, "U+%04X", cp) : "'" + new String(Character.toChars(cp)) + "'";
        };
    }

    @Override
    public String toString() {
        return "CharCorpus(" + file + ": " + ids.length + " characters, vocabulary " + vocab.length + ")";
    }

    private static String percent(double f) {
        double p = Math.round(f * 1000) / 10.0;
        return (p == Math.rint(p) ? Long.toString(Math.round(p)) : String.format(Locale.ROOT, "%.1f", p)) + "%";
    }

    /** Strict UTF-8 decoding; the error gives the offset of the first malformed byte. */
    static String utf8(Path file, byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = d.decode(in, out, true);
        if (!r.isError()) r = d.flush(out);
        if (r.isError()) {
            int at = in.position();
            long line = 1;
            for (int i = 0; i < at; i++) if (bytes[i] == '\n') line++;
            throw new DataFormatException(String.format(Locale.ROOT, "%s: not valid UTF-8: byte 0x%02X at offset %d (line %d); save the file as UTF-8",
                    file, bytes[at] & 0xff, at, line));
        }
        out.flip();
        return out.toString();
    }
}
