package dev.ingot.runtime.data;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.model.TrainConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The UCI "Sentiment Labelled Sentences" set (Kotzias et al., KDD 2015) for binary sentiment
 * classification, read and tokenized the way a Keras user would ({@code Tokenizer(num_words)} +
 * {@code pad_sequences}):
 *
 * <ul>
 *   <li>Files: {@code amazon_cells_labelled.txt}, {@code imdb_labelled.txt} and
 *       {@code yelp_labelled.txt} in one directory (those present, at least one, in that order);
 *       or any files of the same form: the source's path may be one file, or a directory with
 *       the option {@code files} naming them (by default every {@code .txt}/{@code .tsv} in it).
 *       Each line is a sentence, a TAB and a label 0 (negative) or 1 (positive). Lines are split
 *       on {@code \n} only (the IMDB file has U+0085 inside sentences), the label on the LAST tab,
 *       with no CSV quote handling (six IMDB lines start with {@code "}); UTF-8.</li>
 *   <li>Tokens: the lowercased sentence's runs of letters, digits and apostrophes
 *       ({@code "It's great!!"} → {@code it's}, {@code great}).</li>
 *   <li>Split: all sentences shuffled with {@code seed} (Fisher–Yates, {@link SplittableRandom}),
 *       then the last {@code ceil(test * n)} are the test split (scikit-learn's rounding).</li>
 *   <li>Vocabulary: {@link #PAD} = 0, {@link #UNK} = 1, then the {@code vocab - 2} most frequent
 *       tokens of the training split (ties broken alphabetically), so a test sentence's unseen words
 *       are UNK.</li>
 *   <li>Sequences: ids pre-padded with 0 and truncated to the last {@code length} tokens (Keras'
 *       {@code pad_sequences} defaults, {@code padding="pre", truncating="pre"}).</li>
 * </ul>
 * As a dataset: fields {@code tokens} (i32 [length], input) and {@code label} (i32 scalar, target).
 */
public final class SentenceCorpus {
    /** Data source kind of the train block: {@code sentences("data/sentiment", vocab = 1000, length = 100)}. */
    public static final String KIND = "sentences";
    /** Options of {@link #KIND}. */
    public static final List<String> OPTIONS = List.of("dir", "vocab", "length", "test", "seed", "files");
    /** The files of the set, in the order they are read. */
    public static final List<String> FILES = List.of("amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt");
    /** Padding id. */
    public static final int PAD = 0;
    /** Out-of-vocabulary id. */
    public static final int UNK = 1;
    public static final int DEFAULT_VOCAB = 1000, DEFAULT_LENGTH = 100;
    public static final double DEFAULT_TEST = 0.2;
    public static final long DEFAULT_SEED = 1;

    /** One labelled sentence and where it came from (file name, 1-based line). */
    public record Sentence(String text, int label, String file, int line) {}

    private final Path dir;
    private final List<Sentence> train, test;
    private final List<String> vocabulary;
    private final Map<String, Integer> index;
    private final int length;

    private SentenceCorpus(Path dir, List<Sentence> train, List<Sentence> test, List<String> vocabulary, int length) {
        this.dir = dir;
        this.train = List.copyOf(train);
        this.test = List.copyOf(test);
        this.vocabulary = List.copyOf(vocabulary);
        this.index = new HashMap<>();
        for (int i = 0; i < vocabulary.size(); i++) index.put(vocabulary.get(i), i);
        this.length = length;
    }

    /**
     * Reads the set from {@code dir}, shuffles and splits it, and builds the vocabulary.
     *
     * @param vocab  vocabulary cap, PAD and UNK included (at least 3)
     * @param length sequence length
     * @param test   test fraction in [0, 1)
     * @param seed   shuffle seed
     */
    public static SentenceCorpus load(Path dir, int vocab, int length, double test, long seed) throws IOException {
        if (vocab < 3) throw new IllegalArgumentException("vocab must be at least 3 (PAD, UNK and one word), got " + vocab);
        if (length < 1) throw new IllegalArgumentException("length must be at least 1, got " + length);
        if (!(test >= 0 && test < 1)) throw new IllegalArgumentException("test must be in [0, 1), got " + test);
        return load(dir, files(dir, List.of()), vocab, length, test, seed);
    }

    /**
     * The files a {@code sentences} source reads: {@code path} itself when it is a file; in a
     * directory, the given {@code names} when there are any, else the UCI set's files that are
     * present, else every {@code .txt} and {@code .tsv} file (sorted by name).
     */
    public static List<Path> files(Path path, List<String> names) throws IOException {
        if (Files.isRegularFile(path)) {
            if (!names.isEmpty()) throw new DataFormatException(path + " is a file; the option files names files in a directory");
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            throw new DataFormatException("data path " + path + " does not exist"
                    + " (expected a file of 'sentence<TAB>label' lines, or a directory of them such as the Sentiment Labelled Sentences files)");
        }
        List<Path> out = new ArrayList<>();
        for (String n : names) {
            Path f = path.resolve(n);
            if (!Files.isRegularFile(f)) throw new DataFormatException(f + ": no such file; " + path + " contains: " + listing(path));
            out.add(f);
        }
        if (!out.isEmpty()) return out;
        for (String name : FILES) if (Files.isRegularFile(path.resolve(name))) out.add(path.resolve(name));
        if (!out.isEmpty()) return out;
        try (Stream<Path> s = Files.list(path)) {
            out.addAll(s.filter(p -> Files.isRegularFile(p) && (p.toString().endsWith(".txt") || p.toString().endsWith(".tsv"))).sorted().toList());
        }
        if (out.isEmpty()) {
            throw new DataFormatException("data directory " + path + " has none of " + String.join(", ", FILES) + " and no other .txt or .tsv file; it contains: " + listing(path));
        }
        return out;
    }

    /** Reads the sentences of {@code files} (in order), shuffles and splits them, and builds the vocabulary; {@code dir} names the source. */
    public static SentenceCorpus load(Path dir, List<Path> files, int vocab, int length, double test, long seed) throws IOException {
        if (vocab < 3) throw new IllegalArgumentException("vocab must be at least 3 (PAD, UNK and one word), got " + vocab);
        if (length < 1) throw new IllegalArgumentException("length must be at least 1, got " + length);
        if (!(test >= 0 && test < 1)) throw new IllegalArgumentException("test must be in [0, 1), got " + test);
        List<Sentence> all = new ArrayList<>();
        for (Path f : files) all.addAll(read(f));
        if (all.isEmpty()) throw new DataFormatException(dir + ": no labelled sentences in " + files.stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(", ")));
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = all.size() - 1; i > 0; i--) Collections.swap(all, i, r.nextInt(i + 1));
        int nTest = (int) Math.ceil(test * all.size());
        if (nTest >= all.size()) {
            throw new DataFormatException("data directory " + dir + ": " + all.size() + " sentences leave none for training with test = " + test);
        }
        List<Sentence> trainPart = all.subList(0, all.size() - nTest), testPart = all.subList(all.size() - nTest, all.size());
        return new SentenceCorpus(dir, trainPart, testPart, vocabulary(trainPart, vocab), length);
    }

    /** The corpus of a train block's {@code sentences} data source (option {@code dir}, relative to {@code baseDir}). */
    public static SentenceCorpus load(TrainConfig.DataSpec spec, Path baseDir) throws IOException {
        if (!spec.kind().equals(KIND)) throw new DataFormatException("data kind " + spec.kind() + " is not a sentence corpus (expected " + KIND + ")");
        DataOptions o = new DataOptions(spec, OPTIONS);
        String dir = o.required("dir", "a file of 'sentence<TAB>label' lines or a directory of them");
        int vocab = o.integer("vocab", DEFAULT_VOCAB, 3, Integer.MAX_VALUE);
        int length = o.integer("length", DEFAULT_LENGTH, 1, 1 << 20);
        double test = o.fraction("test", DEFAULT_TEST, 1);
        long seed = o.seed("seed", DEFAULT_SEED);
        String files = o.string("files", "");
        List<String> names = files.isBlank() ? List.of() : java.util.Arrays.stream(files.split(",")).map(String::strip).toList();
        Path p = baseDir.resolve(dir);
        return load(p, files(p, names), vocab, length, test, seed);
    }

    /**
     * Parses one file of the set: UTF-8, lines split on {@code \n} (a trailing {@code \r} is
     * dropped, empty lines skipped), each {@code sentence TAB label} split on the last TAB, label
     * 0 or 1. Errors name the file and line.
     */
    public static List<Sentence> read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataFormatException(file + ": cannot read: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
        String text = CharCorpus.utf8(file, bytes);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        String name = file.getFileName().toString();
        List<Sentence> out = new ArrayList<>();
        int line = 0;
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) end = text.length();
            line++;
            String s = text.substring(start, end);
            start = end + 1;
            if (s.endsWith("\r")) s = s.substring(0, s.length() - 1);
            if (s.isEmpty()) continue;
            int tab = s.lastIndexOf('\t');
            if (tab < 0) throw new DataFormatException(file + ":" + line + ": no TAB before the label (expected 'sentence<TAB>0' or 'sentence<TAB>1')");
            String label = s.substring(tab + 1).strip();
            if (!label.equals("0") && !label.equals("1")) {
                throw new DataFormatException(file + ":" + line + ": the label after the last TAB must be 0 or 1, got '"
                        + (label.length() > 20 ? label.substring(0, 20) + "..." : label) + "'");
            }
            out.add(new Sentence(s.substring(0, tab), label.charAt(0) - '0', name, line));
        }
        return out;
    }

    /** Lowercased runs of letters, digits and apostrophes: {@code "It's GREAT, 10/10!"} → {@code [it's, great, 10, 10]}. */
    public static List<String> tokenize(String sentence) {
        List<String> out = new ArrayList<>();
        String s = sentence.toLowerCase(Locale.ROOT);
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetterOrDigit(cp) || cp == '\'') {
                cur.appendCodePoint(cp);
            } else if (cur.length() > 0) {
                out.add(cur.toString());
                cur.setLength(0);
            }
        }
        if (cur.length() > 0) out.add(cur.toString());
        return out;
    }

    /** PAD, UNK, then the {@code cap - 2} most frequent tokens (ties alphabetically). */
    private static List<String> vocabulary(List<Sentence> sentences, int cap) {
        Map<String, Integer> counts = new HashMap<>();
        for (Sentence s : sentences) for (String t : tokenize(s.text())) counts.merge(t, 1, Integer::sum);
        List<String> v = new ArrayList<>(List.of("<pad>", "<unk>"));
        counts.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<String, Integer> e) -> -e.getValue()).thenComparing(Map.Entry::getKey))
                .limit(cap - 2L).forEach(e -> v.add(e.getKey()));
        return v;
    }

    /** The directory the files were read from. */
    public Path dir() { return dir; }

    /** Token of each id: {@code <pad>}, {@code <unk>}, then by frequency. Its size is at most the cap. */
    public List<String> vocabulary() { return vocabulary; }

    /** Sequence length. */
    public int length() { return length; }

    /** The id of a token, {@link #UNK} when it is not in the vocabulary. */
    public int id(String token) { return index.getOrDefault(token, UNK); }

    /** The padded id sequence of a sentence: {@link #length()} ids, pre-padded with 0, keeping the last tokens. */
    public int[] encode(String sentence) {
        int[] out = new int[length];
        encode(sentence, out, 0);
        return out;
    }

    private void encode(String sentence, int[] dst, int offset) {
        List<String> tokens = tokenize(sentence);
        int n = Math.min(tokens.size(), length);
        int pad = length - n;
        List<String> kept = tokens.subList(tokens.size() - n, tokens.size());
        for (int i = 0; i < n; i++) {
            Integer id = index.get(kept.get(i));
            // PAD and UNK are not tokens, but "<pad>" cannot be one: the tokenizer drops '<' and '>'.
            dst[offset + pad + i] = id == null ? UNK : id;
        }
    }

    /** The sentences of split {@code "train"} or {@code "test"}, in shuffled order. */
    public List<Sentence> sentences(String split) { return DataOptions.isTest(split) ? test : train; }

    /** Split {@code "train"} or {@code "test"} as fields {@code tokens} (i32 [length], input) and {@code label} (i32, target). */
    public Dataset dataset(String split) {
        List<Sentence> s = sentences(split);
        int[] tokens = new int[s.size() * length];
        int[] labels = new int[s.size()];
        for (int i = 0; i < s.size(); i++) {
            encode(s.get(i).text(), tokens, i * length);
            labels[i] = s.get(i).label();
        }
        return Dataset.of(Dataset.Field.i32("tokens", new int[] {length}, tokens, Dataset.Role.INPUT),
                          Dataset.Field.i32("label", new int[] {}, labels, Dataset.Role.TARGET));
    }

    @Override
    public String toString() {
        return "SentenceCorpus(" + dir + ": " + train.size() + " train, " + test.size() + " test, vocabulary " + vocabulary.size() + ")";
    }

    private static String listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
            if (names.isEmpty()) return "nothing";
            if (names.size() > 8) return String.join(", ", names.subList(0, 8)) + ", ... (" + names.size() + " entries)";
            return String.join(", ", names);
        }
    }
}
