package dev.ingot.runtime.data;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.model.TrainConfig;
import dev.ingot.runtime.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

class SentenceCorpusTest {
    @TempDir Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void parsesTheTraps() throws IOException {
        Path f = write("a/amazon_cells_labelled.txt",
                "Good case, Excellent value.\t1\n"
                + "\"Great\" phone\tfor me  \t1\n"         // a TAB inside the sentence: split on the last one; a leading quote is text
                + "Bad\u0085battery.  \t0\r\n"            // NEL is not a line break; CRLF tolerated
                + "\n"                                    // empty lines are skipped
                + "It's NOT 10/10!\t0");                  // no final newline
        List<SentenceCorpus.Sentence> s = SentenceCorpus.read(f);
        assertEquals(4, s.size());
        assertEquals(new SentenceCorpus.Sentence("\"Great\" phone\tfor me  ", 1, "amazon_cells_labelled.txt", 2), s.get(1));
        assertEquals("Bad\u0085battery.  ", s.get(2).text());
        assertEquals(0, s.get(2).label());
        assertEquals(5, s.get(3).line());
        assertEquals(List.of("great", "phone", "for", "me"), SentenceCorpus.tokenize(s.get(1).text()));
        assertEquals(List.of("bad", "battery"), SentenceCorpus.tokenize(s.get(2).text()));
        assertEquals(List.of("it's", "not", "10", "10"), SentenceCorpus.tokenize(s.get(3).text()));
        assertEquals(List.of("café", "crème"), SentenceCorpus.tokenize("CAFÉ -- Crème?"));
        assertEquals(List.of(), SentenceCorpus.tokenize(" ... "));
    }

    @Test
    void vocabularyPaddingAndTruncation() throws IOException {
        write("v/yelp_labelled.txt", "b a a\t1\nc b\t0\nd\t1\n");
        SentenceCorpus c = SentenceCorpus.load(dir.resolve("v"), 4, 3, 0, 1);
        assertEquals(List.of("<pad>", "<unk>", "a", "b"), c.vocabulary(), "by frequency, ties alphabetically, capped at 4 with PAD and UNK");
        assertArrayEquals(new int[] {3, 2, 1}, c.encode("a c b b a z"), "the last 3 tokens; c and z are UNK");
        assertArrayEquals(new int[] {0, 0, 3}, c.encode("B!"), "pre-padded with 0");
        assertArrayEquals(new int[] {0, 0, 0}, c.encode(""));
        assertEquals(List.of("<pad>", "<unk>", "a", "b", "c", "d"), SentenceCorpus.load(dir.resolve("v"), 1000, 3, 0, 1).vocabulary(),
                "fewer words than the cap");
        Dataset d = c.dataset("train");
        assertEquals("Dataset(3 examples: tokens i32[3], label i32[])", d.toString());
        assertEquals(Dataset.Role.INPUT, d.field("tokens").role());
        assertEquals(Dataset.Role.TARGET, d.field("label").role());
        assertEquals(0, c.dataset("test").size());
    }

    @Test
    void realData() throws IOException {
        Path data = TestData.examples("sentiment");
        List<SentenceCorpus.Sentence> imdb = SentenceCorpus.read(data.resolve("imdb_labelled.txt"));
        assertEquals(1000, imdb.size(), "no merged lines");
        assertEquals(500, imdb.stream().filter(s -> s.label() == 1).count());
        assertEquals(6, imdb.stream().filter(s -> s.text().startsWith("\"")).count(), "lines starting with a quote");
        assertTrue(imdb.get(178).text().contains("\u0085") && imdb.get(967).text().contains("\u0085"), "NEL inside the sentences of lines 179 and 968");
        for (String f : SentenceCorpus.FILES) assertEquals(1000, SentenceCorpus.read(data.resolve(f)).size(), f);

        TrainConfig.DataSpec spec = new TrainConfig.DataSpec("sentences", Map.of("dir", "sentiment"));
        Path base = data.getParent();
        Dataset train = Dataset.load(spec, base, "train"), test = Dataset.load(spec, base, "test");
        assertEquals("Dataset(2400 examples: tokens i32[100], label i32[])", train.toString());
        assertEquals(600, test.size());
        SentenceCorpus c = SentenceCorpus.load(spec, base);
        assertEquals(1000, c.vocabulary().size());
        assertEquals(List.of("<pad>", "<unk>", "the", "and", "a", "i", "is", "to", "it", "this"), c.vocabulary().subList(0, 10));
        for (int id : train.field("tokens").i32()) assertTrue(id >= 0 && id < 1000);
        // (over all 3000 sentences, test = 0, the vocabulary matches an independent Python tokenizer's exactly;
        // here it is the training split's)

        Set<String> trainKeys = keys(c.sentences("train")), testKeys = keys(c.sentences("test"));
        assertEquals(2400, trainKeys.size());
        assertEquals(600, testKeys.size());
        trainKeys.retainAll(testKeys);
        assertEquals(Set.of(), trainKeys, "disjoint splits");

        // the vocabulary is the training split's: a word seen only in the test split is UNK
        Set<String> trainWords = c.sentences("train").stream().flatMap(s -> SentenceCorpus.tokenize(s.text()).stream()).collect(Collectors.toSet());
        String testOnly = c.sentences("test").stream().flatMap(s -> SentenceCorpus.tokenize(s.text()).stream())
                .filter(w -> !trainWords.contains(w)).findFirst().orElseThrow();
        assertEquals(SentenceCorpus.UNK, c.id(testOnly));

        SentenceCorpus again = SentenceCorpus.load(spec, base);
        assertEquals(c.sentences("test"), again.sentences("test"), "deterministic for a seed");
        SentenceCorpus other = SentenceCorpus.load(new TrainConfig.DataSpec("sentences", Map.of("dir", "sentiment", "seed", "2")), base);
        assertNotEquals(c.sentences("test"), other.sentences("test"));
    }

    private static Set<String> keys(List<SentenceCorpus.Sentence> s) {
        return s.stream().map(x -> x.file() + ":" + x.line()).collect(Collectors.toCollection(HashSet::new));
    }

    @Test
    void clearErrors() throws IOException {
        write("bad/imdb_labelled.txt", "fine\t1\nno tab here\n");
        write("label/yelp_labelled.txt", "fine\t1\nbad label\t positive\n");
        write("other/readme.txt", "hi");
        Files.write(write("latin/amazon_cells_labelled.txt", "").resolveSibling("amazon_cells_labelled.txt"),
                new byte[] {'o', 'k', '\t', '1', '\n', 'c', 'a', 'f', (byte) 0xE9, '\t', '1', '\n'});
        assertError(Map.of("dir", "bad"), dir.resolve("bad/imdb_labelled.txt") + ":2: no TAB before the label (expected 'sentence<TAB>0' or 'sentence<TAB>1')");
        assertError(Map.of("dir", "label"), dir.resolve("label/yelp_labelled.txt") + ":2: the label after the last TAB must be 0 or 1, got 'positive'");
        // without the UCI names, every .txt is read: here a file that is not labelled sentences
        assertError(Map.of("dir", "other"), dir.resolve("other/readme.txt") + ":1: no TAB before the label (expected 'sentence<TAB>0' or 'sentence<TAB>1')");
        write("empty/notes.md", "hi");
        assertError(Map.of("dir", "empty"), "data directory " + dir.resolve("empty")
                + " has none of amazon_cells_labelled.txt, imdb_labelled.txt, yelp_labelled.txt and no other .txt or .tsv file; it contains: notes.md");
        assertError(Map.of("dir", "nowhere"), "data path " + dir.resolve("nowhere")
                + " does not exist (expected a file of 'sentence<TAB>label' lines, or a directory of them such as the Sentiment Labelled Sentences files)");
        assertError(Map.of("dir", "bad", "files", "b.txt"), dir.resolve("bad/b.txt") + ": no such file; " + dir.resolve("bad") + " contains: imdb_labelled.txt");
        assertError(Map.of("dir", "latin"), dir.resolve("latin/amazon_cells_labelled.txt") + ": not valid UTF-8: byte 0xE9 at offset 8 (line 2); save the file as UTF-8");
        assertError(Map.of(), "data kind sentences needs the option dir (a file of 'sentence<TAB>label' lines or a directory of them)");
        assertError(Map.of("dir", "bad", "vocab", "2"), "option vocab of data kind sentences must be at least 3, got 2");
        assertError(Map.of("dir", "bad", "test", "1.0"), "option test of data kind sentences must be a fraction in [0, 1), got 1.0");
        assertError(Map.of("dir", "bad", "maxlen", "10"), "unknown option 'maxlen' for data kind sentences (options: dir, vocab, length, test, seed, files)");
        write("one/imdb_labelled.txt", "only one\t1\n");
        assertError(Map.of("dir", "one", "test", "0.5"), "data directory " + dir.resolve("one") + ": 1 sentences leave none for training with test = 0.5");
    }

    @Test
    void anyFileNames() throws IOException {
        write("mine/reviews.tsv", "good\t1\nbad\t0\nfine\t1\nawful\t0\n");
        write("mine/more.txt", "great\t1\n");
        write("mine/skip.txt", "ignored\t1\n");
        assertEquals(5, SentenceCorpus.load(new TrainConfig.DataSpec("sentences", Map.of("dir", "mine", "files", "reviews.tsv, more.txt", "test", "0")), dir).sentences("train").size());
        assertEquals(6, SentenceCorpus.load(new TrainConfig.DataSpec("sentences", Map.of("dir", "mine", "test", "0")), dir).sentences("train").size(), "every .txt and .tsv");
        assertEquals(4, SentenceCorpus.load(new TrainConfig.DataSpec("sentences", Map.of("dir", "mine/reviews.tsv", "test", "0")), dir).sentences("train").size(), "one file");
    }

    private void assertError(Map<String, String> options, String message) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> Dataset.load(new TrainConfig.DataSpec("sentences", options), dir, "train"));
        assertEquals(message, e.getMessage());
    }
}
