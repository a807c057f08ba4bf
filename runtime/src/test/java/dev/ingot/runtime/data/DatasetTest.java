package dev.ingot.runtime.data;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.ingot.runtime.data.IdxFiles.*;
import static org.junit.jupiter.api.Assertions.*;

class DatasetTest {
    @TempDir Path dir;

    private static Dataset small() {
        return Dataset.of(Dataset.Field.f32("x", new int[] {2}, new float[] {0, 1, 10, 11, 20, 21, 30, 31}),
                          Dataset.Field.i32("y", new int[] {}, new int[] {0, 1, 2, 3}));
    }

    @Test
    void fieldsAndSize() {
        Dataset d = small();
        assertEquals(4, d.size());
        assertEquals(2, d.field("x").perExample());
        assertEquals(DType.I32, d.field("y").dtype());
        assertTrue(d.has("x"));
        assertFalse(d.has("z"));
        assertEquals("Dataset(4 examples: x f32[2], y i32[])", d.toString());
        DataFormatException e = assertThrows(DataFormatException.class, () -> d.field("image"));
        assertEquals("data has no field 'image' (fields: x, y)", e.getMessage());
    }

    @Test
    void subsetAndLimitCopy() {
        Dataset d = small();
        Dataset s = d.subset(1, 3);
        assertEquals(2, s.size());
        assertArrayEquals(new float[] {10, 11, 20, 21}, s.field("x").f32());
        assertArrayEquals(new int[] {1, 2}, s.field("y").i32());
        assertSame(d, d.limit(10));
        assertEquals(3, d.limit(3).size());
        assertEquals(0, d.limit(0).size());
        assertThrows(IndexOutOfBoundsException.class, () -> d.subset(2, 5));
        Dataset w = d.with(Dataset.Field.i32("y", new int[] {}, new int[] {9, 9, 9, 9}));
        assertEquals(List.of("x", "y"), w.fields().stream().map(Dataset.Field::name).toList());
        assertEquals(9, w.field("y").i32()[0]);
    }

    @Test
    void rejectsInconsistentFields() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dataset.of(
                Dataset.Field.f32("x", new int[] {2}, new float[6]), Dataset.Field.i32("y", new int[] {}, new int[4])));
        assertEquals("field 'y' has 4 examples but 'x' has 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dataset.Field.f32("x", new int[] {4}, new float[6]));
        assertEquals("field 'x': 6 values is not a whole number of examples of shape [4]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dataset.of(Dataset.Field.f32("x", new int[] {1}, new float[1]),
                Dataset.Field.f32("x", new int[] {1}, new float[1])));
        assertThrows(IllegalArgumentException.class, () -> new Dataset.Field("x", DType.F32, new int[] {1}, null, new int[1]));
    }

    private void mnistLike(Path d, String prefix, int n, boolean gz, String sep) throws IOException {
        Files.createDirectories(d);
        int[] px = new int[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < px.length; i++) px[i] = i % 256;
        for (int i = 0; i < n; i++) labels[i] = i % 10;
        byte[] img = ubyte(new int[] {n, 2, 2}, px), lab = ubyte(new int[] {n}, labels);
        Files.write(d.resolve(prefix + "-images" + sep + "idx3-ubyte" + (gz ? ".gz" : "")), gz ? gzip(img) : img);
        Files.write(d.resolve(prefix + "-labels" + sep + "idx1-ubyte" + (gz ? ".gz" : "")), gz ? gzip(lab) : lab);
    }

    @Test
    void idxImagesReadsMnistNaming() throws IOException {
        mnistLike(dir, "train", 5, true, "-");
        mnistLike(dir, "t10k", 3, false, "-");
        Dataset train = Dataset.idxImages(dir, "train", 0.5f);
        assertEquals("Dataset(5 examples: image f32[2, 2], label i32[])", train.toString());
        assertEquals(1.5f, train.field("image").f32()[3]);
        assertEquals(3, Dataset.idxImages(dir, "test", 1f).size());
        Path dotted = dir.resolve("dotted");
        mnistLike(dotted, "train", 2, false, ".");
        assertEquals(2, Dataset.idxImages(dotted, "train", 1f).size());
        assertThrows(IllegalArgumentException.class, () -> Dataset.idxImages(dir, "validation", 1f));
    }

    @Test
    void loadsTheTrainBlockDataSource() throws IOException {
        mnistLike(dir.resolve("data/mnist"), "train", 5, true, "-");
        Dataset d = Dataset.load(new TrainConfig.DataSpec("idx", Map.of("dir", "data/mnist")), dir, "train");
        assertEquals(5, d.size());
        assertEquals(3 * (1 / 255f), d.field("image").f32()[3]);
        d = Dataset.load(new TrainConfig.DataSpec("idx", Map.of("dir", "data/mnist", "scale", "1/2")), dir, "train");
        assertEquals(1.5f, d.field("image").f32()[3]);
        assertLoadError(new TrainConfig.DataSpec("parquet", Map.of()), "unknown data kind 'parquet' (supported: idx, chars, sentences, reverse, csv, npy, npz)");
        assertLoadError(new TrainConfig.DataSpec("idx", Map.of()), "data kind idx needs the option dir");
        assertLoadError(new TrainConfig.DataSpec("idx", Map.of("dir", "x", "shuffle", "no")), "unknown option 'shuffle' for data kind idx");
        assertLoadError(new TrainConfig.DataSpec("idx", Map.of("dir", "data/mnist", "scale", "big")),
                "option scale of data kind idx is not a number: 'big'");
    }

    @Test
    void floatLabelsInIdxAreRegressionTargets() throws IOException {
        Path images = dir.resolve("x-idx3"), labels = dir.resolve("y-idx1");
        Files.write(images, ubyte(new int[] {2, 1, 2}, 1, 2, 3, 4));
        Files.write(labels, idx(0x0D, new int[] {2}, java.nio.ByteBuffer.allocate(8).putFloat(0.5f).putFloat(-2.25f).array()));
        Dataset d = Dataset.idx(images, labels, 1f);
        assertEquals(DType.F32, d.field("label").dtype());
        assertArrayEquals(new float[] {0.5f, -2.25f}, d.field("label").f32(), 0f);
        assertEquals(Dataset.Role.TARGET, d.field("label").role());
    }

    private void assertLoadError(TrainConfig.DataSpec spec, String message) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> Dataset.load(spec, dir, "train"));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void idxImagesErrors() throws IOException {
        Path missing = dir.resolve("nowhere");
        DataFormatException e = assertThrows(DataFormatException.class, () -> Dataset.idxImages(missing, "train", 1f));
        assertEquals("data directory " + missing + " does not exist (expected MNIST-style files such as train-images-idx3-ubyte.gz)", e.getMessage());

        Files.writeString(dir.resolve("readme.txt"), "hi");
        mnistLike(dir, "t10k", 3, true, "-");
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        e = assertThrows(DataFormatException.class, () -> Dataset.idxImages(dir, "train", 1f));
        assertEquals("data directory " + dir + " has no train-images-idx3-ubyte[.gz] or train-labels-idx1-ubyte[.gz] (also looked for the"
                + " '.idx' spelling, e.g. train-images.idx3-ubyte); it contains: readme.txt, t10k-images-idx3-ubyte.gz", e.getMessage());
        e = assertThrows(DataFormatException.class, () -> Dataset.idxImages(dir, "test", 1f));
        assertTrue(e.getMessage().contains(" has no t10k-labels-idx1-ubyte[.gz] ("), e.getMessage());

        Path mismatch = dir.resolve("mismatch");
        mnistLike(mismatch, "train", 4, false, "-");
        Files.write(mismatch.resolve("train-labels-idx1-ubyte"), ubyte(new int[] {3}, 1, 2, 3));
        e = assertThrows(DataFormatException.class, () -> Dataset.idxImages(mismatch, "train", 1f));
        assertEquals(mismatch.resolve("train-images-idx3-ubyte") + " has 4 examples but " + mismatch.resolve("train-labels-idx1-ubyte")
                + " has 3", e.getMessage());
    }
}
