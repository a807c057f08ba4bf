package dev.ingot.runtime.data;

import dev.ingot.runtime.testing.TestData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Reads the real MNIST and Fashion-MNIST files from the shared data folder (skipped if absent). */
class MnistTest {
    private static long sum(float[] a, int from, int to) {
        long s = 0;
        for (int i = from; i < to; i++) s += (long) a[i];
        return s;
    }

    private static int[] counts(int[] labels) {
        int[] c = new int[10];
        for (int l : labels) c[l]++;
        return c;
    }

    @Test
    void trainSet() throws IOException {
        Path dir = TestData.shared("mnist");
        long t0 = System.nanoTime();
        Dataset d = Dataset.idxImages(dir, "train", 1f);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("MNIST train (47 MB decompressed) loaded in %.3f s%n", seconds);
        assertTrue(seconds < 10, "loading took " + seconds + " s");
        assertEquals(60000, d.size());
        Dataset.Field image = d.field("image"), label = d.field("label");
        assertArrayEquals(new int[] {28, 28}, image.shape());
        assertArrayEquals(new int[] {}, label.shape());
        assertArrayEquals(new int[] {5, 0, 4, 1, 9, 2, 1, 3, 1, 4}, java.util.Arrays.copyOf(label.i32(), 10));
        assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, counts(label.i32()));
        float[] px = image.f32();
        assertEquals(27525, sum(px, 0, 784), "pixel sum of the first image");
        assertEquals(1567298545L, sum(px, 0, px.length), "pixel sum of all images");
        assertEquals(81f, px[14 * 28 + 13]);
        assertEquals(240f, px[14 * 28 + 14]);
    }

    @Test
    void testSetScaled() throws IOException {
        Dataset d = Dataset.idxImages(TestData.shared("mnist"), "test", 1 / 255f);
        assertEquals(10000, d.size());
        assertArrayEquals(new int[] {7, 2, 1, 0, 4, 1, 4, 9, 5, 9}, java.util.Arrays.copyOf(d.field("label").i32(), 10));
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, counts(d.field("label").i32()));
        float max = 0, min = 1;
        double total = 0;
        for (float v : d.field("image").f32()) {
            max = Math.max(max, v);
            min = Math.min(min, v);
            total += v;
        }
        assertEquals(1f, max);
        assertEquals(0f, min);
        assertEquals(264923200 / 255.0, total, 1.0);
    }

    @Test
    void fashionMnist() throws IOException {
        Dataset d = Dataset.idxImages(TestData.shared("fashion-mnist"), "train", 1f);
        assertEquals(60000, d.size());
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, java.util.Arrays.copyOf(d.field("label").i32(), 10));
        assertEquals(76247, sum(d.field("image").f32(), 0, 784));
    }
}
