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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class CharCorpusTest {
    @TempDir Path dir;

    private Path text(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private static TrainConfig.DataSpec chars(String file, String seq, String... more) {
        Map<String, String> o = new java.util.HashMap<>(Map.of("file", file, "seq", seq));
        for (int i = 0; i < more.length; i += 2) o.put(more[i], more[i + 1]);
        return new TrainConfig.DataSpec("chars", o);
    }

    @Test
    void vocabularyEncodeDecode() throws IOException {
        CharCorpus c = CharCorpus.read(text("t.txt", "hello world\nhé😀"));
        assertEquals("\n dehlorwé😀", c.vocab(), "sorted distinct code points");
        assertEquals(11, c.size());
        assertEquals(15, c.length(), "code points, not Java chars");
        assertArrayEquals(new int[] {4, 3, 5, 5, 6}, c.encode("hello"));
        assertEquals("hé😀\n", c.decode(c.encode("hé😀\n")));
        assertEquals("😀", c.decode(10));
        assertEquals(-1, c.id('z'));
        assertTrue(c.contains(' '));
        DataFormatException e = assertThrows(DataFormatException.class, () -> c.encode("hello, Zoë\t"));
        assertEquals("characters not in the vocabulary of " + dir.resolve("t.txt") + " (11 characters): ',', 'Z', 'ë', '\\t'", e.getMessage());
        assertEquals(List.of((int) 'Z'), c.unknown("hZZ"));
    }

    @Test
    void windowsAndSplits() throws IOException {
        // 21 characters "abcdefghijklmnopqrstu"; val 0.2: train = the first floor(0.8 * 21) = 16, validation the last 5
        CharCorpus c = CharCorpus.read(text("t.txt", "abcdefghijklmnopqrstu"));
        assertEquals(16, c.trainLength(0.2));
        Dataset train = c.windows(4, 0.2, "train");
        assertEquals("Dataset(3 examples: ids i32[4], next i32[4])", train.toString(), "(16 - 1) / 4 = 3 windows");
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, train.field("ids").i32());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, train.field("next").i32());
        assertEquals(Dataset.Role.INPUT, train.field("ids").role());
        assertEquals(Dataset.Role.TARGET, train.field("next").role());
        Dataset val = c.windows(4, 0.2, "test");
        assertEquals(1, val.size());
        assertEquals("qrst", c.decode(val.field("ids").i32()));
        assertEquals("rstu", c.decode(val.field("next").i32()));
        assertEquals(0, c.windows(4, 0, "test").size(), "val = 0: no validation split");
        assertEquals(5, c.windows(4, 0, "train").size());
    }

    @Test
    void loadsTheTrainBlockDataSource() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        text("data/t.txt", "abcdefghijklmnopqrstuvwxyz".repeat(4));
        Dataset train = Dataset.load(chars("data/t.txt", "8"), dir, "train");
        Dataset val = Dataset.load(chars("data/t.txt", "8"), dir, "test");
        assertEquals((93 - 1) / 8, train.size(), "floor(0.9 * 104) = 93 training characters");
        assertEquals((11 - 1) / 8, val.size());
        assertEquals(9, Dataset.load(chars("data/t.txt", "8.0", "val", "0.25"), dir, "train").size(), "78 characters");
        assertEquals(26, CharCorpus.load(chars("data/t.txt", "8"), dir).size());
    }

    @Test
    void tinyShakespeare() throws IOException {
        Path file = TestData.examples("tinyshakespeare/input.txt");
        CharCorpus c = CharCorpus.read(file);
        assertEquals(65, c.size());
        assertEquals(1_115_394, c.length());
        assertEquals("\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", c.vocab());
        assertEquals(1_003_854, c.trainLength(0.1), "the usual 90/10 split, as int(0.9 * n)");
        Dataset train = c.windows(64, 0.1, "train"), val = c.windows(64, 0.1, "test");
        assertEquals(1_003_853 / 64, train.size());
        assertEquals(111_539 / 64, val.size());
        assertEquals("First Citizen:\nBefore we proceed any further, hear me speak.\n\nAl", c.decode(java.util.Arrays.copyOf(train.field("ids").i32(), 64)));
    }

    @Test
    void clearErrors() throws IOException {
        text("empty.txt", "");
        text("short.txt", "abcde");
        text("bom.txt", "\uFEFF");
        Files.write(dir.resolve("latin1.txt"), new byte[] {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xE9, '\n'});
        Files.createDirectories(dir.resolve("folder"));
        text("ok.txt", "abcdefghijklmnopqrstuvwxyz");
        assertError(chars("missing.txt", "4"), "text file " + dir.resolve("missing.txt") + " does not exist");
        assertError(chars("folder", "4"), "text file " + dir.resolve("folder") + " is a directory, expected a UTF-8 text file");
        assertError(chars("empty.txt", "4"), dir.resolve("empty.txt") + ": the text file is empty");
        assertError(chars("bom.txt", "4"), dir.resolve("bom.txt") + ": the text file is empty");
        assertError(chars("latin1.txt", "4"), dir.resolve("latin1.txt") + ": not valid UTF-8: byte 0xE9 at offset 6 (line 2); save the file as UTF-8");
        assertError(chars("short.txt", "5"), dir.resolve("short.txt")
                + ": the text has 5 characters, fewer than seq + 1 = 6 needed for one example (a window and the character after it)");
        assertError(chars("ok.txt", "8"), dir.resolve("ok.txt")
                + ": the validation split (the last 10%) has 3 characters, fewer than seq + 1 = 9 needed for one example; use a longer text, a smaller seq or a larger val", "test");
        assertError(chars("ok.txt", "8", "val", "0.9"), dir.resolve("ok.txt")
                + ": the training split (the first 10%) has 2 characters, fewer than seq + 1 = 9 needed for one example; use a longer text, a smaller seq or a smaller val");
        assertError(new TrainConfig.DataSpec("chars", Map.of("seq", "4")), "data kind chars needs the option file (the UTF-8 text file)");
        assertError(new TrainConfig.DataSpec("chars", Map.of("file", "ok.txt")), "data kind chars needs the option seq");
        assertError(chars("ok.txt", "four"), "option seq of data kind chars is not a number: 'four'");
        assertError(chars("ok.txt", "0"), "option seq of data kind chars must be between 1 and 1048576, got 0");
        assertError(chars("ok.txt", "2.5"), "option seq of data kind chars must be an integer, got 2.5");
        assertError(chars("ok.txt", "4", "val", "1"), "option val of data kind chars must be a fraction in [0, 1), got 1");
        assertError(chars("ok.txt", "4", "stride", "2"), "unknown option 'stride' for data kind chars (options: file, seq, val)");
    }

    private void assertError(TrainConfig.DataSpec spec, String message) { assertError(spec, message, "train"); }

    private void assertError(TrainConfig.DataSpec spec, String message, String split) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> Dataset.load(spec, dir, split));
        assertEquals(message, e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
