package dev.ingot.runtime.data;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class CsvTest {
    @TempDir Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private Dataset load(String split, String... kv) throws IOException {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) o.put(kv[i], kv[i + 1]);
        return Dataset.load(new TrainConfig.DataSpec("csv", o), dir, split);
    }

    private String error(String... kv) {
        return assertThrows(DataFormatException.class, () -> load("train", kv)).getMessage();
    }

    @Test
    void headerQuotesAndColumnsByNameOrIndex() throws IOException {
        write("t.csv", "a,\"b, quoted\",label\r\n1,2.5,0\n\n3,\"-4e-1\",1\n5, 6 ,2\n");
        Dataset all = load("train", "file", "t.csv", "test", "0");
        assertEquals(3, all.size());
        assertEquals(DType.I32, all.field("label").dtype(), "integer labels: classes");
        assertEquals(Dataset.Role.TARGET, all.field("label").role());
        float[] x = all.field("features").f32();
        int[] y = all.field("label").i32();
        // shuffled rows: check each row's features against its label
        for (int i = 0; i < 3; i++) {
            float[] expected = switch (y[i]) { case 0 -> new float[] {1, 2.5f}; case 1 -> new float[] {3, -0.4f}; default -> new float[] {5, 6}; };
            assertArrayEquals(expected, new float[] {x[2 * i], x[2 * i + 1]}, 0f);
        }
        Dataset byName = load("train", "file", "t.csv", "test", "0", "target", "a", "features", "label,1", "target_type", "float");
        assertEquals(DType.F32, byName.field("label").dtype());
        assertArrayEquals(new int[] {2}, byName.field("features").shape());
        Dataset range = load("train", "file", "t.csv", "test", "0", "target", "0", "features", "1:3");
        assertArrayEquals(new int[] {2}, range.field("features").shape());
    }

    @Test
    void heldOutSplitAndSeparateTestFile() throws IOException {
        StringBuilder sb = new StringBuilder("x,y\n");
        for (int i = 0; i < 10; i++) sb.append(i).append(',').append(i * 0.5).append('\n');
        write("r.csv", sb.toString());
        write("rt.csv", "x,y\n100,7.5\n");
        Dataset train = load("train", "file", "r.csv", "test", "0.3"), test = load("test", "file", "r.csv", "test", "0.3");
        assertEquals(7, train.size());
        assertEquals(3, test.size());
        assertEquals(DType.F32, test.field("label").dtype(), "non-integer labels: regression");
        java.util.Set<Float> seen = new java.util.HashSet<>();
        for (float v : train.field("features").f32()) seen.add(v);
        for (float v : test.field("features").f32()) assertTrue(seen.add(v), "train and test are disjoint");
        assertEquals(10, seen.size());
        Dataset separate = load("test", "file", "r.csv", "test_file", "rt.csv");
        assertEquals(1, separate.size());
        assertEquals(7.5f, separate.field("label").f32()[0]);
        assertEquals(10, load("train", "file", "r.csv", "test_file", "rt.csv").size(), "with a test file, all of file trains");
    }

    @Test
    void windowsOfATimeSeriesAndTheLastValueBaseline() throws IOException {
        write("s.csv", "month,value\n1,10\n2,11\n3,13\n4,16\n5,20\n6,25\n");
        Dataset train = load("train", "file", "s.csv", "target", "value", "window", "2", "test", "0.25");
        Dataset test = load("test", "file", "s.csv", "target", "value", "window", "2", "test", "0.25");
        // targets are rows 2..5 (13, 16, 20, 25); the last quarter (one) is the test split, in order
        assertEquals(3, train.size());
        assertArrayEquals(new int[] {2, 1}, train.field("features").shape());
        assertArrayEquals(new float[] {10, 11, 11, 13, 13, 16}, train.field("features").f32(), 0f);
        assertArrayEquals(new float[] {13, 16, 20}, train.field("label").f32(), 0f);
        assertArrayEquals(new float[] {16, 20}, test.field("features").f32(), 0f);
        assertArrayEquals(new float[] {25}, test.field("label").f32(), 0f);
        double baseline = Csv.lastValueBaselineMse(new TrainConfig.DataSpec("csv", Map.of("file", "s.csv", "target", "value", "window", "2", "test", "0.25")), dir);
        assertEquals(25.0, baseline, 1e-9, "(20 - 25)^2");
        assertTrue(Csv.isWindowed(new TrainConfig.DataSpec("csv", Map.of("file", "s.csv", "window", "2"))));
        assertArrayEquals(new int[] {2, 2}, load("train", "file", "s.csv", "window", "2", "features", "month,value", "test", "0.25").field("features").shape());
    }

    @Test
    void tabsAndNoHeader() throws IOException {
        write("t.tsv", "1\t2\t1\n3\t4\t0\n");
        Dataset d = load("train", "file", "t.tsv", "delimiter", "\\t", "header", "false", "test", "0");
        assertEquals(2, d.size());
        assertArrayEquals(new int[] {2}, d.field("features").shape());
    }

    @Test
    void malformedFilesNameFileLineAndColumn() throws IOException {
        Path f = write("bad.csv", "a,b,label\n1,2,0\n1,x2,1\n");
        assertEquals(f + ":3:3: 'x2' in column 2 ('b') is not a number", error("file", "bad.csv"));
        write("short.csv", "a,b,label\n1,2,0\n1,2\n");
        assertEquals(dir.resolve("short.csv") + ":3:1: this row has 2 fields but the header has 3 (delimiter ',')", error("file", "short.csv"));
        write("empty.csv", "a,b,label\n1,,0\n");
        assertEquals(dir.resolve("empty.csv") + ":2:3: empty value in column 2 ('b') (expected a number)", error("file", "empty.csv"));
        write("quote.csv", "a,label\n\"1,0\n");
        assertEquals(dir.resolve("quote.csv") + ":2:1: a quoted field is not closed (missing '\"')", error("file", "quote.csv"));
        write("after.csv", "a,label\n\"1\"x,0\n");
        assertTrue(error("file", "after.csv").startsWith(dir.resolve("after.csv") + ":2:4: unexpected 'x' after a quoted field"));
        write("label.csv", "a,label\n1,0.5\n2,1\n");
        assertEquals(dir.resolve("label.csv") + ":2:3: '0.5' in target column 2 ('label') is not an integer class id (for regression, write target_type = \"float\")",
                error("file", "label.csv", "target_type", "int"));
        write("inf.csv", "a,label\n1e999,0\n");
        assertTrue(error("file", "inf.csv").contains(":2:1: '1e999' in column 1 ('a') is not a finite float32 number"));
        write("zero.csv", "");
        assertEquals(dir.resolve("zero.csv") + ": the file is empty (expected rows of comma-separated numbers)", error("file", "zero.csv"));
        write("ok.csv", "a,b,label\n1,2,0\n3,4,1\n");
        assertEquals(dir.resolve("ok.csv") + ": no target column 'y'; columns: a, b, label", error("file", "ok.csv", "target", "y"));
        assertTrue(error("file", "ok.csv", "target", "7").contains("target column 7 is out of range: the file has 3 columns"));
        assertEquals(dir.resolve("ok.csv") + ": column 1 ('a') is both a feature and the label", error("file", "ok.csv", "target", "a", "features", "a,b"));
        assertEquals(dir.resolve("nope.csv") + ": no such file", error("file", "nope.csv"));
        assertEquals("unknown option 'colums' for data kind csv (options: " + String.join(", ", Csv.OPTIONS) + ")", error("file", "ok.csv", "colums", "1"));
        assertTrue(error("file", "ok.csv", "delimiter", ";;").startsWith("option delimiter of data kind csv must be one character"));
        assertTrue(error("file", "ok.csv", "window", "5").contains("2 rows are too few for windows of 5"));
    }
}
