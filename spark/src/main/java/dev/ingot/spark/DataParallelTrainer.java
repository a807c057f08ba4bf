package dev.ingot.spark;

import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.TensorSpec;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Synchronous data-parallel training of an Ingot model on Spark, in barrier execution mode: one model
 * replica per barrier task, each on its partition of a DataFrame; every step each replica computes the
 * gradients of its share of the global batch ({@code computeGradients}), the replicas average them with a
 * ring all-reduce over TCP ({@link dev.ingot.spark.train.RingAllReduce}), and each applies the same
 * optimizer update ({@code applyUpdate}): the replicas start from the same weights and stay identical, and
 * the run is the single-process run on the global batch (up to float rounding of the sums). The model
 * class needs the split training step: {@link #compile} (or {@code Compiler.Options.withSplitStep(true)}).
 *
 * <pre>
 *   ModelCode code = DataParallelTrainer.compile(Path.of("mnist_mlp.ingot"));
 *   DataParallelTrainer.Result r = DataParallelTrainer.fit(spark, code, trainDf,
 *           DataParallelTrainer.Options.defaults().withTasks(2).withEpochs(1));
 *   CompiledModel m = code.newInstance(128);
 *   r.loadInto(m);
 * </pre>
 *
 * <p>The DataFrame has a column per model input and label, named as in the model: an array column
 * (an example's values, row-major) or a numeric column for a one-value input such as a class label.
 * It is repartitioned into {@code tasks} partitions (unless it has that many already); each task reads
 * its partition into memory. Each epoch, every task takes {@code min over tasks of (rows / local batch)}
 * batches of {@code globalBatch / tasks} examples from its partition (shuffled per epoch from the seed,
 * the epoch and the task), so all tasks take the same number of steps.
 *
 * <p>Checkpoints ({@link Options#withCheckpoint}) are written by task 0 every {@code checkpointEvery}
 * steps and at the end, atomically, with the steps done in their metadata; a run that finds the
 * checkpoint (a retried barrier stage, or the same job started again) continues from it. The checkpoint
 * path must be on a file system every executor sees (local mode: any path; a cluster: a shared mount).
 * A task that fails (bad data, a lost executor) fails the barrier stage; the other tasks leave their
 * all-reduce at once (the connection closes) or when Spark stops them, and Spark retries the stage as a
 * whole, up to {@code spark.stage.maxConsecutiveAttempts}.
 */
public final class DataParallelTrainer {
    private DataParallelTrainer() {}

    /**
     * @param tasks           barrier tasks (replicas); 0: the DataFrame's partition count
     * @param globalBatch     examples per step over all tasks, divisible by {@code tasks}; 0: the model's {@code batch:}
     * @param epochs          passes over the data; 0: the model's {@code epochs:} (ignored when {@code steps > 0})
     * @param steps           steps to train in all (0: by epochs)
     * @param seed            initial weights (the same in every replica) and data order
     * @param shuffle         shuffle each task's rows every epoch (else in partition order)
     * @param threadsPerTask  the runtime's kernel threads in each task's JVM (0: leave as is)
     * @param checkpoint      where task 0 writes checkpoints (null: none); resumed from when present
     * @param checkpointEvery steps between checkpoints (0: at the end only)
     * @param averageEvery    1: average gradients every step (synchronous SGD); K > 1: each replica steps on its own
     *                        and the parameters (and running statistics) are averaged every K steps, K times less traffic
     * @param timeoutMillis   how long a task waits for the others (connecting, or any step) before failing
     * @param stopAfter       end this run after this many steps (0: at the planned end), the schedule planned for the whole run
     */
    public record Options(int tasks, int globalBatch, int epochs, int steps, long seed, boolean shuffle, int threadsPerTask,
                          String checkpoint, int checkpointEvery, int averageEvery, long timeoutMillis, long stopAfter) implements Serializable {
        public Options {
            if (tasks < 0 || globalBatch < 0 || epochs < 0 || steps < 0 || threadsPerTask < 0 || checkpointEvery < 0 || stopAfter < 0)
                throw new IllegalArgumentException("negative setting in " + "data-parallel options");
            if (averageEvery < 1) throw new IllegalArgumentException("averageEvery must be at least 1, got " + averageEvery);
            if (timeoutMillis < 1) throw new IllegalArgumentException("timeoutMillis must be positive, got " + timeoutMillis);
        }

        public static Options defaults() { return new Options(0, 0, 0, 0, 1, true, 0, null, 0, 1, 600_000, 0); }
        public Options withTasks(int v) { return new Options(v, globalBatch, epochs, steps, seed, shuffle, threadsPerTask, checkpoint, checkpointEvery, averageEvery, timeoutMillis, stopAfter); }
        public Options withGlobalBatch(int v) { return new Options(tasks, v, epochs, steps, seed, shuffle, threadsPerTask, checkpoint, checkpointEvery, averageEvery, timeoutMillis, stopAfter); }
        public Options withEpochs(int v) { return new Options(tasks, globalBatch, v, steps, seed, shuffle, threadsPerTask, checkpoint, checkpointEvery, averageEvery, timeoutMillis, stopAfter); }
        public Options withSteps(int v) { return new Options(tasks, globalBatch, epochs, v, seed, shuffle, threadsPerTask, checkpoint, checkpointEvery, averageEvery, timeoutMillis, stopAfter); }
        public Options withSeed(long v) { return new Options(tasks, globalBatch, epochs, steps, v, shuffle, threadsPerTask, checkpoint, checkpointEvery, averageEvery, timeoutMillis, stopAfter); }
        public Options withShuffle(boolean v) { return new Options(tasks, globalBatch, epochs, steps, seed, v, threadsPerTask, checkpoint, checkpointEvery, averageEvery, timeoutMillis, stopAfter); }
        public Options withThreadsPerTask(int v) { return new Options(tasks, globalBatch, epochs, steps, seed, shuffle, v, checkpoint, checkpointEvery, averageEvery, timeoutMillis, stopAfter); }
        public Options withCheckpoint(Path p, int every) { return new Options(tasks, globalBatch, epochs, steps, seed, shuffle, threadsPerTask, p == null ? null : p.toAbsolutePath().toString(), every, averageEvery, timeoutMillis, stopAfter); }
        public Options withAverageEvery(int v) { return new Options(tasks, globalBatch, epochs, steps, seed, shuffle, threadsPerTask, checkpoint, checkpointEvery, v, timeoutMillis, stopAfter); }
        /** Ends this run after {@code v} more steps (0: at the planned end); the schedule still plans the whole run (train in sessions, with a checkpoint). */
        public Options withStopAfter(long v) { return new Options(tasks, globalBatch, epochs, steps, seed, shuffle, threadsPerTask, checkpoint, checkpointEvery, averageEvery, timeoutMillis, v); }
        public Options withTimeoutMillis(long v) { return new Options(tasks, globalBatch, epochs, steps, seed, shuffle, threadsPerTask, checkpoint, checkpointEvery, averageEvery, v, stopAfter); }
    }

    /**
     * What a run produced: the trained parameters and state (task 0's; every replica holds the same
     * parameters), the mean training loss over all tasks of every epoch (of every step with
     * {@code steps}), and how fast it went.
     *
     * @param tensors         every parameter and state tensor, by name
     * @param losses          mean loss over all replicas per epoch (per step in a run by steps); for this run's steps only
     * @param steps           steps done in all (including those of a checkpoint resumed from)
     * @param resumedAt       steps the run resumed from (0: a fresh run)
     * @param seconds         wall time of the training loop in the slowest task
     * @param examplesPerSecond global examples per second of this run's steps
     * @param bytesPerStep    bytes each task sent per step for the all-reduce (about 2 (tasks - 1) / tasks x parameter bytes)
     */
    public record Result(Map<String, float[]> tensors, List<Double> losses, long steps, long resumedAt, double seconds,
                         double examplesPerSecond, long bytesPerStep) implements Serializable {
        /** Copies the trained tensors into {@code model} (an instance of the same model class). */
        public void loadInto(CompiledModel model) {
            for (Map.Entry<String, float[]> e : tensors.entrySet()) {
                float[] dst = model.tensors().get(e.getKey());
                if (dst == null) continue;   // optimizer state a model instance without training does not have
                System.arraycopy(e.getValue(), 0, dst, 0, Math.min(dst.length, e.getValue().length));
            }
        }
    }

    /**
     * Compiles an {@code .ingot} file on the driver with the split training step, for shipping to the
     * executors (needs {@code ingot-compiler} on the driver's class path).
     */
    public static ModelCode compile(Path ingotFile) {
        var src = dev.ingot.compiler.frontend.SourceFile.read(ingotFile);
        var opt = dev.ingot.compiler.Compiler.Options.defaults().withSplitStep(true);
        return ModelCode.of(dev.ingot.compiler.Compiler.compile(src, opt).classFiles());
    }

    /** Trains {@code code}'s model on {@code data} (see the class comment); returns the trained tensors and figures. */
    public static Result fit(SparkSession spark, ModelCode code, Dataset<Row> data, Options options) {
        CompiledModel probe = code.newInstance(1);
        var spec = probe.spec();
        if (spec.train() == null) throw new IllegalArgumentException("model " + spec.name() + " has no train block: nothing to train");
        try {
            probe.gradientNames(0);
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException("model " + spec.name() + " was compiled without the split training step that data-parallel training needs: "
                    + "compile it with DataParallelTrainer.compile or Compiler.Options.withSplitStep(true)");
        }
        int tasks = options.tasks() > 0 ? options.tasks() : data.rdd().getNumPartitions();
        int global = options.globalBatch() > 0 ? options.globalBatch() : spec.train().batch();
        if (global % tasks != 0) throw new IllegalArgumentException("the global batch " + global + " is not divisible by the " + tasks + " tasks");
        List<InputBinding> bindings = new ArrayList<>();
        List<TensorSpec> fed = new ArrayList<>(spec.inputs());
        fed.addAll(spec.labels());
        for (TensorSpec t : fed) bindings.add(InputBinding.bind(t, data.schema(), List.of(t.name()), "training reads the column named as the model's input or label"));
        int epochs = options.epochs() > 0 ? options.epochs() : Math.max(1, spec.train().epochs());
        Dataset<Row> parts = data.rdd().getNumPartitions() == tasks ? data : data.repartition(tasks);
        ReplicaTask task = new ReplicaTask(code, bindings, options, global / tasks, epochs);
        RDD<Row> rdd = parts.rdd();
        scala.reflect.ClassTag<ReplicaTask.Report> tag = scala.reflect.ClassTag$.MODULE$.apply(ReplicaTask.Report.class);
        RDD<ReplicaTask.Report> trained = rdd.barrier().mapPartitions(task, false, tag);
        // NOTE: the shuffle makes the barrier stage a shuffle-map stage, which Spark retries as a whole when a task fails
        // (up to spark.stage.maxConsecutiveAttempts); a failed barrier result stage is never retried
        List<ReplicaTask.Report> reports = org.apache.spark.api.java.JavaRDD.fromRDD(trained, tag).repartition(1).collect();
        ReplicaTask.Report first = null;
        double seconds = 0;
        for (ReplicaTask.Report r : reports) {
            if (r.tensors() != null) first = r;
            seconds = Math.max(seconds, r.seconds());
        }
        if (first == null) throw new IllegalStateException("no report from task 0");
        long done = first.steps() - first.resumedAt();
        return new Result(first.tensors(), first.losses(), first.steps(), first.resumedAt(), seconds,
                seconds > 0 ? done * (double) global / seconds : 0, first.bytesPerStep());
    }

    /** Writes a trained result as a checkpoint (the runtime's format) through a model instance of the same class. */
    public static void save(Result r, ModelCode code, Path path) throws IOException {
        CompiledModel m = code.newInstance(1);
        r.loadInto(m);
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        dev.ingot.runtime.io.Checkpoint.save(path, m, Map.of("steps", Long.toString(r.steps())));
    }

    static Map<String, float[]> copy(CompiledModel m) {
        Map<String, float[]> r = new LinkedHashMap<>();
        m.tensors().forEach((k, v) -> r.put(k, v.clone()));
        return r;
    }
}
