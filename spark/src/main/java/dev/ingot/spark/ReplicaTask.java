package dev.ingot.spark;

import dev.ingot.runtime.exec.Parallel;
import dev.ingot.runtime.io.Checkpoint;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.TensorSpec;
import dev.ingot.runtime.train.Trainer;
import dev.ingot.spark.train.RingAllReduce;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.sql.Row;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One barrier task of {@link DataParallelTrainer}: reads its partition into memory, joins the ring of
 * replicas, and trains its replica in lockstep with the others (see the trainer's comment). Task 0
 * writes the checkpoints and returns the trained tensors.
 */
final class ReplicaTask implements scala.Function1<Iterator<Row>, Iterator<ReplicaTask.Report>>, Serializable {
    private static final long serialVersionUID = 1L;

    /** What a task returns to the driver; {@code tensors} from task 0 only. */
    record Report(int rank, java.util.Map<String, float[]> tensors, List<Double> losses, long steps, long resumedAt, double seconds,
                  long bytesPerStep) implements Serializable {}

    private final ModelCode code;
    private final List<InputBinding> bindings;
    private final DataParallelTrainer.Options options;
    private final int localBatch, epochs;

    ReplicaTask(ModelCode code, List<InputBinding> bindings, DataParallelTrainer.Options options, int localBatch, int epochs) {
        this.code = code;
        this.bindings = List.copyOf(bindings);
        this.options = options;
        this.localBatch = localBatch;
        this.epochs = epochs;
    }

    /** Called after every step with (task context, steps done), when set: a test's way to make a task fail mid-run. */
    static volatile java.util.function.ObjLongConsumer<BarrierTaskContext> afterStep;

    @Override
    public Iterator<Report> apply(Iterator<Row> rows) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        try {
            return CollectionConverters.asScala(List.of(run(ctx, CollectionConverters.asJava(rows))).iterator());
        } catch (IOException e) {
            // a peer failed: Spark is about to stop this task too; let it, so that this task counts as stopped, not as failed
            awaitKill(ctx);
            throw new UncheckedIOException("data-parallel task " + ctx.partitionId() + ": " + e.getMessage(), e);
        }
    }

    /** Waits up to 2 s for Spark to stop this task (throws TaskKilledException when it does). */
    private static void awaitKill(BarrierTaskContext ctx) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline && ctx.getKillReason().isEmpty()) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        ctx.killTaskIfInterrupted();
    }

    /** A partition's rows, one array per bound input (f32 or i32), {@code count} examples. */
    private final class Partition {
        final float[][] f32 = new float[bindings.size()][];
        final int[][] i32 = new int[bindings.size()][];
        int count;

        Partition(java.util.Iterator<Row> rows, int rank) {
            int cap = 1024;
            for (int b = 0; b < bindings.size(); b++) alloc(b, cap);
            while (rows.hasNext()) {
                Row r = rows.next();
                if (count == cap) {
                    cap *= 2;
                    for (int b = 0; b < bindings.size(); b++) alloc(b, cap);
                }
                for (int b = 0; b < bindings.size(); b++) bindings.get(b).read(r, f32[b], i32[b], count, count, rank);
                count++;
            }
        }

        private void alloc(int b, int cap) {
            InputBinding in = bindings.get(b);
            int n = Math.multiplyExact(cap, in.perExample);
            if (in.i32) i32[b] = i32[b] == null ? new int[n] : Arrays.copyOf(i32[b], n);
            else f32[b] = f32[b] == null ? new float[n] : Arrays.copyOf(f32[b], n);
        }

        /** Copies examples {@code order[from..from+n)} into the model's input buffers. */
        void fill(CompiledModel m, int[] order, int from, int n) {
            for (int b = 0; b < bindings.size(); b++) {
                InputBinding in = bindings.get(b);
                int k = in.perExample;
                if (in.i32) {
                    int[] dst = m.inputI32(in.input);
                    for (int j = 0; j < n; j++) System.arraycopy(i32[b], order[from + j] * k, dst, j * k, k);
                } else {
                    float[] dst = m.inputF32(in.input);
                    for (int j = 0; j < n; j++) System.arraycopy(f32[b], order[from + j] * k, dst, j * k, k);
                }
            }
        }
    }

    private Report run(BarrierTaskContext ctx, java.util.Iterator<Row> rows) throws IOException {
        int rank = ctx.partitionId(), size = ctx.numPartitions();
        if (options.threadsPerTask() > 0) Parallel.setThreads(options.threadsPerTask());
        Partition data = new Partition(rows, rank);
        // the ring: every task listens, publishes host:port (and its row count) with allGather, connects to the next
        String host = hostOf(ctx.getTaskInfos()[rank].address());
        ServerSocketChannel server = RingAllReduce.listen(host);
        String[] all = ctx.allGather(RingAllReduce.address(server) + " " + data.count);
        List<String> addresses = new ArrayList<>();
        int perEpoch = Integer.MAX_VALUE, smallest = 0;
        for (int r = 0; r < all.length; r++) {
            String[] f = all[r].split(" ");
            addresses.add(f[0]);
            int c = Integer.parseInt(f[1]);
            if (c / localBatch < perEpoch) {
                perEpoch = c / localBatch;
                smallest = r;
            }
        }
        if (perEpoch == 0) {
            server.close();
            throw new IllegalArgumentException("partition " + smallest + " has fewer rows (" + all[smallest].split(" ")[1] + ") than one task's share of the batch ("
                    + localBatch + "): use a smaller batch, fewer tasks or more data");
        }
        long total = options.steps() > 0 ? options.steps() : (long) perEpoch * epochs;
        try (RingAllReduce ring = RingAllReduce.connect(rank, addresses, server, options.timeoutMillis())) {
            CompiledModel m = code.newInstance(localBatch);
            m.initialize(options.seed());
            Path ck = options.checkpoint() == null ? null : Path.of(options.checkpoint());
            long start = 0;
            if (ck != null && Files.exists(ck)) {
                Map<String, String> meta = Checkpoint.load(ck, m).metadata();
                start = Long.parseLong(meta.getOrDefault("steps", "0"));
            }
            if (start >= total) throw new IllegalArgumentException("checkpoint " + ck + " is at step " + start + ", the end of this run of " + total + " steps: nothing left to train");
            Trainer.setTotalSteps(m, total);
            long end = options.stopAfter() > 0 ? Math.min(total, start + options.stopAfter()) : total;
            decorrelateRandomNumbers(m, rank);
            int nSteps = Math.max(1, m.spec().train().steps().size());
            List<float[]> buffers = new ArrayList<>();   // running statistics: averaged too, so replicas stay identical
            for (TensorSpec s : m.spec().state()) if (!s.name().startsWith("opt.") && !s.name().startsWith("rng.")) buffers.add(m.state(s.name()));
            float[] loss = new float[1];
            List<List<float[]>> vectors = new ArrayList<>();
            for (int s = 0; s < nSteps; s++) {
                List<float[]> v = new ArrayList<>();
                for (String p : m.gradientNames(s)) v.add(m.gradient(p));
                v.addAll(buffers);
                v.add(loss);
                vectors.add(v);
            }
            List<float[]> weights = new ArrayList<>();
            for (TensorSpec p : m.spec().params()) weights.add(m.param(p.name()));
            weights.addAll(buffers);
            weights.add(loss);

            int[] order = new int[data.count];
            int orderEpoch = -1;
            List<Double> losses = new ArrayList<>();
            double epochLoss = 0;
            int inEpoch = 0;
            float windowLoss = 0;
            long sent0 = ring.bytesSent(), t0 = System.nanoTime();
            for (long step = start; step < end; step++) {
                int epoch = (int) (step / perEpoch), at = (int) (step % perEpoch);
                if (epoch != orderEpoch) {
                    if (inEpoch > 0) losses.add(epochLoss / inEpoch);
                    epochLoss = 0;
                    inEpoch = 0;
                    order(order, epoch, rank);
                    orderEpoch = epoch;
                }
                data.fill(m, order, at * localBatch, localBatch);
                double stepLoss;
                if (options.averageEvery() == 1) {
                    stepLoss = 0;
                    for (int s = 0; s < nSteps; s++) {
                        loss[0] = m.computeGradients(s, localBatch);
                        ring.average(vectors.get(s));
                        m.applyUpdate(s);
                        if (s == 0) stepLoss = loss[0];
                    }
                } else {
                    windowLoss += m.trainStep(localBatch);
                    stepLoss = Double.NaN;
                    if ((step + 1) % options.averageEvery() == 0 || step + 1 == end) {
                        loss[0] = windowLoss;
                        ring.average(weights);
                        stepLoss = loss[0] / (int) Math.min(options.averageEvery(), (step % options.averageEvery()) + 1);
                        windowLoss = 0;
                    }
                }
                if (!Double.isNaN(stepLoss)) {
                    if (!Double.isFinite(stepLoss)) throw new IllegalStateException("training diverged at step " + (step + 1) + ": mean loss " + stepLoss);
                    epochLoss += stepLoss;
                    inEpoch++;
                }
                var hook = afterStep;
                if (hook != null) hook.accept(ctx, step + 1);
                if (rank == 0 && ck != null && options.checkpointEvery() > 0 && (step + 1) % options.checkpointEvery() == 0 && step + 1 < end)
                    Checkpoint.save(ck, m, Map.of("steps", Long.toString(step + 1), "seed", Long.toString(options.seed())));
            }
            if (inEpoch > 0) losses.add(epochLoss / inEpoch);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (rank == 0 && ck != null) Checkpoint.save(ck, m, Map.of("steps", Long.toString(end), "seed", Long.toString(options.seed())));
            long done = end - start;
            return new Report(rank, rank == 0 ? DataParallelTrainer.copy(m) : null, losses, end, start, seconds, (ring.bytesSent() - sent0) / Math.max(1, done));
        }
    }

    /** The order of this task's rows in {@code epoch}: shuffled from (seed, epoch, task), or as read. */
    private void order(int[] order, int epoch, int rank) {
        for (int i = 0; i < order.length; i++) order[i] = i;
        if (!options.shuffle()) return;
        SplittableRandom r = new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + rank);
        for (int i = order.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /**
     * Gives each replica's random numbers (dropout masks, noise) a seed of its own, so the replicas do not
     * draw the same masks for different examples; task 0 keeps the model's, which is what its checkpoints save.
     */
    private static void decorrelateRandomNumbers(CompiledModel m, int rank) {
        if (rank == 0) return;
        for (TensorSpec s : m.spec().state()) {
            if (!s.name().equals("rng.seed")) continue;
            float[] v = m.state(s.name());
            v[0] = (float) ((((long) v[0]) * 31 + rank) & 0xFFFFFF);   // 24 bits, exact in a float, as the generated initialize
        }
    }

    private static String hostOf(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? address : address.substring(0, colon);
    }
}
