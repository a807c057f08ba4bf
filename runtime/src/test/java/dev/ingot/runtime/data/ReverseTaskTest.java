package dev.ingot.runtime.data;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.model.TrainConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ReverseTaskTest {
    private static Dataset load(Map<String, String> options, String split) throws Exception {
        return Dataset.load(new TrainConfig.DataSpec("reverse", options), Path.of("."), split);
    }

    @Test
    void examplesAreReversedWithTeacherForcing() throws Exception {
        Dataset d = load(Map.of("count", "50", "length", "6"), "train");
        assertEquals("Dataset(50 examples: src i32[6], tgt_in i32[6], tgt i32[6])", d.toString());
        assertEquals(Dataset.Role.INPUT, d.field("src").role());
        assertEquals(Dataset.Role.INPUT, d.field("tgt_in").role());
        assertEquals(Dataset.Role.TARGET, d.field("tgt").role());
        int[] src = d.field("src").i32(), in = d.field("tgt_in").i32(), tgt = d.field("tgt").i32();
        boolean[] seen = new boolean[12];
        for (int e = 0; e < 50; e++) {
            int o = e * 6;
            assertEquals(ReverseTask.START, in[o]);
            for (int i = 0; i < 6; i++) {
                assertTrue(src[o + i] >= 2 && src[o + i] <= 11, "a digit symbol");
                seen[src[o + i]] = true;
                assertEquals(src[o + 5 - i], tgt[o + i], "reversed");
                if (i > 0) assertEquals(tgt[o + i - 1], in[o + i], "shifted right by START");
            }
        }
        for (int s = 2; s <= 11; s++) assertTrue(seen[s], "symbol " + s + " occurs");
    }

    @Test
    void defaultsSeedsAndSplits() throws Exception {
        Dataset train = load(Map.of(), "train"), test = load(Map.of(), "test");
        assertEquals(20000, train.size());
        assertEquals(2000, test.size());
        assertEquals(20, train.field("src").perExample());
        assertArrayEquals(train.field("src").i32(), load(Map.of(), "train").field("src").i32(), "deterministic");
        assertFalse(Arrays.equals(Arrays.copyOf(train.field("src").i32(), 2000 * 20), test.field("src").i32()), "test is another draw");
        assertFalse(Arrays.equals(train.field("src").i32(), load(Map.of("seed", "2"), "train").field("src").i32()));
        int[] small = ReverseTask.generate(100, 5, 5, 3).field("src").i32();
        assertTrue(Arrays.stream(small).allMatch(t -> t >= 2 && t <= 4), "vocab 5: symbols 2..4");
    }

    @Test
    void clearErrors() {
        DataFormatException e = assertThrows(DataFormatException.class, () -> load(Map.of("length", "0"), "train"));
        assertEquals("option length of data kind reverse must be between 1 and 1048576, got 0", e.getMessage());
        e = assertThrows(DataFormatException.class, () -> load(Map.of("vocab", "2"), "train"));
        assertEquals("option vocab of data kind reverse must be at least 3, got 2", e.getMessage());
        e = assertThrows(DataFormatException.class, () -> load(Map.of("size", "2"), "train"));
        assertEquals("unknown option 'size' for data kind reverse (options: count, test_count, length, vocab, seed)", e.getMessage());
        e = assertThrows(DataFormatException.class, () -> load(Map.of("seed", "x"), "train"));
        assertEquals("option seed of data kind reverse must be an integer, got 'x'", e.getMessage());
    }
}
