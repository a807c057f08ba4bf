package dev.ingot.runtime.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BatcherTest {
    /** n examples: x = [i, -i], y = i. */
    private static Dataset numbered(int n) {
        float[] x = new float[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = -i;
            y[i] = i;
        }
        return Dataset.of(Dataset.Field.f32("x", new int[] {2}, x), Dataset.Field.i32("y", new int[] {}, y));
    }

    private static final class Buffers {
        final float[] x;
        final int[] y;
        final Batcher batcher;

        Buffers(Dataset d, int batch) {
            x = new float[2 * batch];
            y = new int[batch];
            batcher = new Batcher(d, List.of(new Batcher.Target(d.field("x"), x, null), new Batcher.Target(d.field("y"), null, y)), batch);
        }

        /** All example ids of one epoch, batch by batch, checking x matches y. */
        List<int[]> epoch(int e) {
            batcher.startEpoch(e);
            List<int[]> batches = new ArrayList<>();
            int n;
            while ((n = batcher.next()) > 0) {
                int[] ids = Arrays.copyOf(y, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(ids[i], x[2 * i]);
                    assertEquals(-ids[i], x[2 * i + 1]);
                    assertEquals(ids[i], batcher.exampleIndex(i));
                }
                batches.add(ids);
            }
            return batches;
        }
    }

    private static int[] flat(List<int[]> batches) {
        return batches.stream().flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void inOrderWithPartialLastBatch() {
        Buffers b = new Buffers(numbered(10), 4);
        assertEquals(3, b.batcher.batchesPerEpoch());
        assertEquals(10, b.batcher.examplesPerEpoch());
        List<int[]> batches = b.epoch(0);
        assertEquals(3, batches.size());
        assertArrayEquals(new int[] {0, 1, 2, 3}, batches.get(0));
        assertArrayEquals(new int[] {8, 9}, batches.get(2));
        assertEquals(0, b.batcher.next(), "stays exhausted");
    }

    @Test
    void dropLast() {
        Buffers b = new Buffers(numbered(10), 4);
        b.batcher.dropLast(true);
        assertEquals(2, b.batcher.batchesPerEpoch());
        assertEquals(8, b.batcher.examplesPerEpoch());
        assertEquals(2, b.epoch(0).size());
    }

    @Test
    void shuffleIsAPermutationDeterministicPerSeedAndEpoch() {
        Buffers a = new Buffers(numbered(100), 16);
        a.batcher.shuffle(42);
        int[] e0 = flat(a.epoch(0)), e1 = flat(a.epoch(1));
        int[] sorted = e0.clone();
        Arrays.sort(sorted);
        int[] identity = new int[100];
        Arrays.setAll(identity, i -> i);
        assertArrayEquals(identity, sorted, "each example exactly once");
        assertFalse(Arrays.equals(identity, e0), "shuffled");
        assertFalse(Arrays.equals(e0, e1), "a new order every epoch");

        Buffers again = new Buffers(numbered(100), 16);
        again.batcher.shuffle(42);
        assertArrayEquals(e1, flat(again.epoch(1)), "epoch order depends only on (seed, epoch)");
        assertArrayEquals(e0, flat(again.epoch(0)));

        Buffers other = new Buffers(numbered(100), 16);
        other.batcher.shuffle(43);
        assertFalse(Arrays.equals(e0, flat(other.epoch(0))), "another seed, another order");
    }

    @Test
    void convertsIntFieldIntoFloatBuffer() {
        Dataset d = numbered(3);
        float[] yf = new float[2];
        Batcher b = new Batcher(d, List.of(new Batcher.Target(d.field("y"), yf, null)), 2);
        assertEquals(2, b.next());
        assertArrayEquals(new float[] {0f, 1f}, yf);
        assertEquals(1, b.next());
        assertEquals(2f, yf[0]);
    }

    @Test
    void rejectsBadTargets() {
        Dataset d = numbered(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Batcher(d, List.of(new Batcher.Target(d.field("x"), new float[3], null)), 2));
        assertEquals("buffer for field 'x' holds 3 values, a batch of 2 needs 4", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Batcher.Target(d.field("x"), null, new int[4]));
        assertThrows(IllegalArgumentException.class, () -> new Batcher.Target(d.field("x"), new float[4], new int[4]));
        assertThrows(IllegalArgumentException.class, () -> new Batcher(d, List.of(), 0));
        Dataset other = numbered(4);
        assertThrows(IllegalArgumentException.class, () -> new Batcher(d, List.of(new Batcher.Target(other.field("y"), null, new int[4])), 2));
    }
}
