package dev.ingot.runtime.train;

import dev.ingot.runtime.data.Batcher;
import dev.ingot.runtime.data.Binding;
import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.data.Metrics;
import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.ModelSpec;
import dev.ingot.runtime.model.TensorSpec;
import dev.ingot.runtime.model.TrainConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * The training loop over a {@link CompiledModel}, like Keras' {@code fit}: per epoch, shuffled
 * mini-batches copied into the model's input buffers and one {@link CompiledModel#trainStep} each,
 * then (optionally) an evaluation of the test set; progress goes to a {@link Progress}.
 *
 * <p>The trainer does not initialize the model: call {@link CompiledModel#initialize(long)} (or
 * load a checkpoint) first. Nothing is allocated inside the step loop.
 *
 * <pre>{@code
 * TrainResult r = new Trainer(model)
 *     .options(Trainer.Options.defaults().withEpochs(2).withSeed(42))
 *     .progress(new Progress(System.out, Progress.Mode.AUTO))
 *     .fit(train, test);
 * }</pre>
 */
public final class Trainer {
    /**
     * Training options; zero for {@code epochs}/{@code batchSize} means "from the model's train block".
     *
     * @param epochs         number of epochs (0: {@code spec().train().epochs()}, or 1 without a train block); ignored when {@code steps > 0}
     * @param batchSize      batch size (0: {@code spec().train().batch()}, or {@code maxBatch()}); at most {@code maxBatch()}
     * @param seed           shuffling seed
     * @param limitTrain     use only the first N training examples (0: all)
     * @param limitTest      use only the first N test examples (0: all)
     * @param dropLast       skip the last, smaller batch of each epoch
     * @param evalEachEpoch  evaluate the test set after every epoch (otherwise after the last one only)
     * @param shuffle        shuffle the training set every epoch
     * @param steps          train for this many optimizer steps instead of epochs (0: epochs), going
     *                       through the (reshuffled) data as many times as needed and stopping mid-epoch
     * @param evalEvery      in steps mode, also evaluate every N steps (0: only at the end)
     */
    public record Options(int epochs, int batchSize, long seed, int limitTrain, int limitTest,
                          boolean dropLast, boolean evalEachEpoch, boolean shuffle, int steps, int evalEvery) {
        public Options {
            if (epochs < 0 || batchSize < 0 || limitTrain < 0 || limitTest < 0 || steps < 0 || evalEvery < 0) {
                throw new IllegalArgumentException("epochs, steps, batch size, limits and evalEvery must be >= 0");
            }
        }

        public static Options defaults() { return new Options(0, 0, 0L, 0, 0, false, true, true, 0, 0); }

        public Options withEpochs(int v) { return new Options(v, batchSize, seed, limitTrain, limitTest, dropLast, evalEachEpoch, shuffle, steps, evalEvery); }
        public Options withBatchSize(int v) { return new Options(epochs, v, seed, limitTrain, limitTest, dropLast, evalEachEpoch, shuffle, steps, evalEvery); }
        public Options withSeed(long v) { return new Options(epochs, batchSize, v, limitTrain, limitTest, dropLast, evalEachEpoch, shuffle, steps, evalEvery); }
        public Options withLimitTrain(int v) { return new Options(epochs, batchSize, seed, v, limitTest, dropLast, evalEachEpoch, shuffle, steps, evalEvery); }
        public Options withLimitTest(int v) { return new Options(epochs, batchSize, seed, limitTrain, v, dropLast, evalEachEpoch, shuffle, steps, evalEvery); }
        public Options withDropLast(boolean v) { return new Options(epochs, batchSize, seed, limitTrain, limitTest, v, evalEachEpoch, shuffle, steps, evalEvery); }
        public Options withEvalEachEpoch(boolean v) { return new Options(epochs, batchSize, seed, limitTrain, limitTest, dropLast, v, shuffle, steps, evalEvery); }
        public Options withShuffle(boolean v) { return new Options(epochs, batchSize, seed, limitTrain, limitTest, dropLast, evalEachEpoch, v, steps, evalEvery); }
        /** Train for {@code v} optimizer steps instead of epochs (0: epochs); evaluates at the end. */
        public Options withSteps(int v) { return new Options(epochs, batchSize, seed, limitTrain, limitTest, dropLast, evalEachEpoch, shuffle, v, evalEvery); }
        /** In steps mode, also evaluate (and print a summary line) every {@code v} steps (0: only at the end). */
        public Options withEvalEvery(int v) { return new Options(epochs, batchSize, seed, limitTrain, limitTest, dropLast, evalEachEpoch, shuffle, steps, v); }
    }

    /** Result of an evaluation: mean loss, accuracy (NaN if not a classifier), examples and seconds. */
    public record Evaluation(double loss, double accuracy, int examples, double seconds) {}

    /** Called after every evaluation (each epoch, or each --eval-every segment); returning true stops the run. */
    public interface Monitor {
        boolean afterEvaluation(EpochStats stats);
    }

    private final CompiledModel model;
    private Monitor monitor;
    private Options options = Options.defaults();
    private Progress progress = Progress.quiet();
    private Binding binding = Binding.auto();

    public Trainer(CompiledModel model) { this.model = model; }

    public Trainer options(Options o) {
        this.options = o;
        return this;
    }

    public Trainer progress(Progress p) {
        this.progress = p;
        return this;
    }

    /** What to do after each evaluation ({@link TrainingControl}: early stopping, checkpoints, plateau); null for nothing. */
    public Trainer monitor(Monitor m) {
        this.monitor = m;
        return this;
    }

    /** How data fields map to model inputs and labels (default {@link Binding#auto()}). */
    public Trainer binding(Binding b) {
        this.binding = b;
        return this;
    }

    /** The batch size the options resolve to for this model. */
    public int batchSize() {
        TrainConfig tc = model.spec().train();
        int b = options.batchSize() > 0 ? options.batchSize() : tc != null && tc.batch() > 0 ? tc.batch() : model.maxBatch();
        if (b > model.maxBatch()) {
            throw new IllegalArgumentException("batch size " + b + " is larger than the model's maxBatch " + model.maxBatch()
                    + " (create the model with maxBatch >= " + b + ")");
        }
        return b;
    }

    /** The number of epochs the options resolve to for this model. */
    public int epochs() {
        TrainConfig tc = model.spec().train();
        return options.epochs() > 0 ? options.epochs() : tc != null && tc.epochs() > 0 ? tc.epochs() : 1;
    }

    /**
     * Tells a model with a learning-rate schedule how many steps this run plans (the state scalar
     * {@link TrainConfig#TOTAL_STEPS}); a model without a schedule has no such state.
     */
    public static void setTotalSteps(CompiledModel model, long steps) {
        for (TensorSpec s : model.spec().state()) {
            if (s.name().equals(TrainConfig.TOTAL_STEPS)) model.state(s.name())[0] = steps;
        }
    }

    /**
     * Trains on {@code train}, evaluating on {@code test} (may be null): for the epochs of the
     * options, or, with {@link Options#withSteps}, for that many steps.
     */
    public TrainResult fit(Dataset train, Dataset test) {
        long runStart = System.nanoTime();
        ModelSpec spec = model.spec();
        int batch = batchSize();
        int epochs = epochs();
        Dataset trainData = options.limitTrain() > 0 ? train.limit(options.limitTrain()) : train;
        Dataset testData = test == null ? null : options.limitTest() > 0 ? test.limit(options.limitTest()) : test;
        Batcher batcher = new Batcher(trainData, binding.targets(trainData, model, true), batch).dropLast(options.dropLast());
        if (options.shuffle()) batcher.shuffle(options.seed());
        if (testData != null) binding.resolve(testData, spec, true); // fail on a bad test set before training, not after
        int steps = batcher.batchesPerEpoch();
        if (steps == 0) {
            throw new DataFormatException("no training batches: " + trainData.size() + " examples"
                    + (options.dropLast() ? " is less than one batch of " + batch + " with drop-last" : ""));
        }

        if (options.steps() > 0) return fitSteps(batcher, testData, batch, runStart);

        setTotalSteps(model, (long) steps * epochs);
        Metrics epochMetrics = new Metrics();
        long trainNanos = 0, trainExamples = 0;
        List<EpochStats> history = new ArrayList<>();
        Evaluation eval = null;
        try {
            for (int e = 0; e < epochs; e++) {
                long epochStart = System.nanoTime();
                epochMetrics.reset();
                progress.startEpoch(e + 1, epochs, steps);
                batcher.startEpoch(e);
                int step = 0;
                int n;
                while ((n = batcher.next()) > 0) {
                    float loss = model.trainStep(n);
                    epochMetrics.addLoss(loss, n);
                    epochMetrics.addExamples(n);
                    progress.step(++step, epochMetrics.examples(), epochMetrics.loss());
                }
                long stepNanos = System.nanoTime() - epochStart;
                trainNanos += stepNanos;
                trainExamples += epochMetrics.examples();
                boolean last = e == epochs - 1;
                eval = null;
                if (testData != null && (options.evalEachEpoch() || last)) {
                    progress.evaluating();
                    eval = evaluate(model, testData, binding);
                }
                EpochStats stats = new EpochStats(e + 1, epochs, epochMetrics.loss(),
                        eval == null ? Double.NaN : eval.loss(), eval == null ? Double.NaN : eval.accuracy(),
                        epochMetrics.examples() / (stepNanos / 1e9), (System.nanoTime() - epochStart) / 1e9);
                history.add(stats);
                progress.endEpoch(stats);
                if (eval != null && monitor != null && monitor.afterEvaluation(stats)) break;
            }
        } catch (RuntimeException | Error e) {
            progress.abort();
            throw e;
        }
        EpochStats lastEpoch = history.get(history.size() - 1);
        return new TrainResult(spec.name(), spec.parameterCount(), batch, batcher.examplesPerEpoch(),
                testData == null ? 0 : testData.size(), lastEpoch.trainLoss(),
                eval == null ? Double.NaN : eval.loss(), eval == null ? Double.NaN : eval.accuracy(),
                trainExamples / (trainNanos / 1e9), history.size(), steps * history.size(), false, (System.nanoTime() - runStart) / 1e9, history);
    }

    /**
     * Steps mode: {@code options.steps()} optimizer steps over as many (reshuffled) epochs as it
     * takes, stopping mid-epoch; an evaluation every {@code evalEvery} steps and at the end, each
     * with a summary line whose train loss is the mean since the previous one.
     */
    private TrainResult fitSteps(Batcher batcher, Dataset testData, int batch, long runStart) {
        ModelSpec spec = model.spec();
        int total = options.steps();
        int every = options.evalEvery() > 0 ? Math.min(options.evalEvery(), total) : total;
        setTotalSteps(model, total);
        Metrics segment = new Metrics();
        long trainNanos = 0, trainExamples = 0;
        List<EpochStats> history = new ArrayList<>();
        Evaluation eval = null;
        int epoch = 0, step = 0;
        try {
            batcher.startEpoch(epoch);
            while (step < total) {
                long segmentStart = System.nanoTime();
                segment.reset();
                progress.startSteps(step, total);
                int end = Math.min(total, (step / every + 1) * every);
                while (step < end) {
                    int n = batcher.next();
                    if (n == 0) {
                        batcher.startEpoch(++epoch);
                        continue;
                    }
                    float loss = model.trainStep(n);
                    segment.addLoss(loss, n);
                    segment.addExamples(n);
                    progress.step(++step, segment.examples(), segment.loss());
                }
                long stepNanos = System.nanoTime() - segmentStart;
                trainNanos += stepNanos;
                trainExamples += segment.examples();
                eval = null;
                if (testData != null) {
                    progress.evaluating();
                    eval = evaluate(model, testData, binding);
                }
                EpochStats stats = new EpochStats(epoch + 1, 0, segment.loss(),
                        eval == null ? Double.NaN : eval.loss(), eval == null ? Double.NaN : eval.accuracy(),
                        segment.examples() / (stepNanos / 1e9), (System.nanoTime() - segmentStart) / 1e9, step, total);
                history.add(stats);
                progress.endEpoch(stats);
                if (eval != null && monitor != null && monitor.afterEvaluation(stats)) break;
            }
        } catch (RuntimeException | Error e) {
            progress.abort();
            throw e;
        }
        EpochStats last = history.get(history.size() - 1);
        return new TrainResult(spec.name(), spec.parameterCount(), batch, batcher.examplesPerEpoch(),
                testData == null ? 0 : testData.size(), last.trainLoss(),
                eval == null ? Double.NaN : eval.loss(), eval == null ? Double.NaN : eval.accuracy(),
                trainExamples / (trainNanos / 1e9), epoch + 1, step, true, (System.nanoTime() - runStart) / 1e9, history);
    }

    /** Evaluates this trainer's model on {@code data} with its binding and test limit. */
    public Evaluation evaluate(Dataset data) {
        return evaluate(model, options.limitTest() > 0 ? data.limit(options.limitTest()) : data, binding);
    }

    /**
     * Evaluates {@code model} on all of {@code data} in batches of {@code maxBatch()}, without
     * changing it: the loss is the mean over examples (each batch weighted by its size); accuracy
     * is computed when the model has an i32 label and its first output holds, per label value,
     * scores over more than one class (otherwise NaN).
     */
    public static Evaluation evaluate(CompiledModel model, Dataset data, Binding binding) {
        long start = System.nanoTime();
        Batcher batcher = new Batcher(data, binding.targets(data, model, true), model.maxBatch());
        Exact exact = Exact.of(model.spec());
        Accuracy acc = exact != null ? null : Accuracy.of(model.spec());
        int[] labels = acc != null ? model.inputI32(acc.label) : exact != null ? model.inputI32(exact.label) : null;
        Metrics m = new Metrics();
        long matches = 0, total = 0;
        int n;
        while ((n = batcher.next()) > 0) {
            m.addLoss(model.evaluate(n), n);
            if (acc != null && acc.classes == 1) {
                matches += acc.countBinary(model.output(0), labels, n);
                total += n;
            } else if (acc != null) m.addAccuracy(model.output(0), acc.classes, labels, n * acc.rowsPerExample);
            if (exact != null) {
                matches += exact.count(model.output(exact.output), labels, n);
                total += n;
            }
        }
        double accuracy = exact != null || acc != null && acc.classes == 1 ? (total == 0 ? Double.NaN : (double) matches / total)
                : acc == null ? Double.NaN : m.accuracy();
        return new Evaluation(m.loss(), accuracy, data.size(), (System.nanoTime() - start) / 1e9);
    }

    /**
     * Exact-match accuracy ({@code metric: exact(NAME)} in the train block): output NAME holds
     * predicted ids; an example counts when every one equals the label's.
     */
    record Exact(int output, String label, int perExample) {
        static Exact of(ModelSpec spec) {
            if (spec.train() == null || !spec.train().metric().startsWith("exact:")) return null;
            String name = spec.train().metric().substring("exact:".length());
            for (int i = 0; i < spec.outputs().size(); i++) {
                TensorSpec o = spec.outputs().get(i);
                if (!o.name().equals(name)) continue;
                for (TensorSpec l : spec.labels())
                    if (l.dtype() == DType.I32 && l.numelPerExample() == o.numelPerExample()) return new Exact(i, l.name(), o.numelPerExample());
                throw new DataFormatException("metric exact(" + name + "): no i32 label has " + o.numelPerExample() + " values per example like output " + name);
            }
            throw new DataFormatException("metric exact(" + name + "): the model has no output " + name);
        }

        long count(float[] out, int[] labels, int n) {
            long ok = 0;
            for (int e = 0; e < n; e++) {
                boolean same = true;
                for (int j = 0, o = e * perExample; j < perExample && same; j++) same = Math.round(out[o + j]) == labels[o + j];
                if (same) ok++;
            }
            return ok;
        }
    }

    /**
     * How to compute accuracy for a model: which label, how many classes, label values per example.
     * {@code classes == 1} is a binary classifier with a single logit per example (output
     * {@code [batch]} or {@code [batch, 1]}, an i32 label 0/1): it predicts 1 when the logit is > 0.
     */
    record Accuracy(String label, int classes, int rowsPerExample) {
        static Accuracy of(ModelSpec spec) {
            if (spec.outputs().isEmpty()) return null;
            TensorSpec out = spec.outputs().get(0);
            int[] shape = out.shape();
            if (shape.length == 0) return null;
            if (out.numelPerExample() == 1 && (spec.train() == null || spec.train().metric().equals("accuracy"))) {
                for (TensorSpec l : spec.labels()) if (l.dtype() == DType.I32 && l.numelPerExample() == 1) return new Accuracy(l.name(), 1, 1);
                return null;
            }
            int classes = shape[shape.length - 1];
            if (classes <= 1) return null;
            for (TensorSpec l : spec.labels()) {
                if (l.dtype() == DType.I32 && (long) l.numelPerExample() * classes == out.numelPerExample()) {
                    return new Accuracy(l.name(), classes, l.numelPerExample());
                }
            }
            return null;
        }

        /** Examples whose logit's sign matches the 0/1 label. */
        long countBinary(float[] logits, int[] labels, int n) {
            long ok = 0;
            for (int e = 0; e < n; e++) if ((logits[e] > 0) == (labels[e] != 0)) ok++;
            return ok;
        }
    }
}
