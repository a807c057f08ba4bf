package dev.ingot.runtime.data;

import dev.ingot.runtime.model.DType;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Walks a {@link Dataset} in mini-batches, copying each batch into caller-provided arrays (a
 * compiled model's input buffers). Nothing is allocated per batch.
 *
 * <p>Usage: {@code startEpoch(e)}, then {@code while ((n = next()) > 0) model.trainStep(n);}.
 *
 * <p>Shuffling is a Fisher–Yates shuffle driven by a {@link SplittableRandom} seeded from
 * {@code (seed, epoch)}, so the order of every epoch is reproducible on its own (resuming at
 * epoch 5 gives the same batches as running through epochs 0–4). The last partial batch is kept
 * unless {@link #dropLast(boolean)} is set.
 */
public final class Batcher {
    /**
     * Where one field goes: the field and exactly one destination array, sized for at least one
     * full batch. An i32 field may be copied into an f32 destination (converted); not the reverse.
     */
    public record Target(Dataset.Field field, float[] f32, int[] i32) {
        public Target {
            if ((f32 == null) == (i32 == null)) throw new IllegalArgumentException("target for '" + field.name() + "' needs exactly one destination array");
            if (i32 != null && field.dtype() != DType.I32) {
                throw new IllegalArgumentException("field '" + field.name() + "' is " + field.dtype().dslName() + " and cannot be copied into an i32 buffer");
            }
        }

        int capacity() { return f32 != null ? f32.length : i32.length; }
    }

    private final Dataset data;
    private final Target[] targets;
    private final int batchSize;
    private final int[] order;
    private boolean shuffle;
    private long seed;
    private boolean dropLast;
    private int position;
    private int lastN;

    /** A batcher over {@code data} filling {@code targets}, in order, without shuffling until {@link #shuffle(long)}. */
    public Batcher(Dataset data, List<Target> targets, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        this.data = data;
        this.targets = targets.toArray(new Target[0]);
        this.batchSize = batchSize;
        for (Target t : this.targets) {
            long need = (long) batchSize * t.field().perExample();
            if (t.capacity() < need) {
                throw new IllegalArgumentException("buffer for field '" + t.field().name() + "' holds " + t.capacity()
                        + " values, a batch of " + batchSize + " needs " + need);
            }
            if (t.field().size() != data.size()) throw new IllegalArgumentException("field '" + t.field().name() + "' is not from this dataset");
        }
        this.order = new int[data.size()];
        startEpoch(0);
    }

    /** Shuffle every epoch with this seed. Call {@link #startEpoch(int)} afterwards. */
    public Batcher shuffle(long seed) {
        this.shuffle = true;
        this.seed = seed;
        return this;
    }

    /** Whether to skip the last batch of an epoch when it is smaller than the batch size. */
    public Batcher dropLast(boolean dropLast) {
        this.dropLast = dropLast;
        return this;
    }

    public int batchSize() { return batchSize; }

    /** Number of examples per epoch that {@link #next()} delivers. */
    public int examplesPerEpoch() { return dropLast ? data.size() / batchSize * batchSize : data.size(); }

    /** Number of batches per epoch. */
    public int batchesPerEpoch() { return dropLast ? data.size() / batchSize : (data.size() + batchSize - 1) / batchSize; }

    /** Rewinds to the start and, when shuffling, computes the order of epoch {@code epoch}. */
    public void startEpoch(int epoch) {
        for (int i = 0; i < order.length; i++) order[i] = i;
        if (shuffle) {
            // NOTE: a fresh generator per epoch (not one carried across epochs) makes each epoch's order
            // depend only on (seed, epoch). The odd constant spreads consecutive epochs apart.
            SplittableRandom r = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * (epoch + 1L));
            for (int i = order.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        position = 0;
        lastN = 0;
    }

    /** Skips the first {@code batches} batches of the epoch just started (resuming mid-epoch), copying nothing. */
    public void skipBatches(int batches) {
        if (batches < 0) throw new IllegalArgumentException("cannot skip " + batches + " batches");
        position = (int) Math.min(order.length, (long) batches * batchSize);
        lastN = 0;
    }

    /** Copies the next batch into the targets and returns its size; 0 when the epoch is over. */
    public int next() {
        int n = Math.min(batchSize, order.length - position);
        if (n <= 0 || (dropLast && n < batchSize)) {
            lastN = 0;
            return 0;
        }
        for (Target t : targets) copy(t, position, n);
        position += n;
        lastN = n;
        return n;
    }

    /** Index in the dataset of example {@code i} of the batch last returned by {@link #next()}. */
    public int exampleIndex(int i) {
        if (i < 0 || i >= lastN) throw new IndexOutOfBoundsException("example " + i + " of a batch of " + lastN);
        return order[position - lastN + i];
    }

    private void copy(Target t, int from, int n) {
        Dataset.Field f = t.field();
        int per = f.perExample();
        for (int b = 0; b < n; b++) {
            int src = order[from + b] * per;
            int dst = b * per;
            if (f.f32() != null) {
                System.arraycopy(f.f32(), src, t.f32(), dst, per);
            } else if (t.i32() != null) {
                System.arraycopy(f.i32(), src, t.i32(), dst, per);
            } else {
                int[] s = f.i32();
                float[] d = t.f32();
                for (int k = 0; k < per; k++) d[dst + k] = s[src + k];
            }
        }
    }
}
