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

    /** Result of an evaluation: mean loss, accuracy (NaN if not a classifier), examples, seconds, and the mean of each
     *  value of the model's {@code report: [...]} by name. */
    public record Evaluation(double loss, double accuracy, int examples, double seconds, java.util.Map<String, Double> reports) {
        public Evaluation {
            reports = reports == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(reports));
        }

        public Evaluation(double loss, double accuracy, int examples, double seconds) { this(loss, accuracy, examples, seconds, java.util.Map.of()); }
    }

    /** Called after every evaluation (each epoch, or each --eval-every segment); returning true stops the run. */
    public interface Monitor {
        boolean afterEvaluation(EpochStats stats);
    }

    private final CompiledModel model;
    private Monitor monitor;
    private Options options = Options.defaults();
    private Progress progress = Progress.quiet();
    private Binding binding = Binding.auto();
    private boolean stopOnNonFinite = true;
    private long resumeStep;
    private long stopAfter;

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

    /**
     * Whether a non-finite training loss stops the run with a {@link DivergedException} (default
     * true); false keeps going, for those who want to see what happens.
     */
    public Trainer stopOnNonFinite(boolean stop) {
        this.stopOnNonFinite = stop;
        return this;
    }

    /**
     * Continues a run from a checkpoint taken after {@code stepsDone} optimizer steps (the model's
     * parameters and state already loaded): the schedule keeps the run's planned total, and the
     * data continue at that step's epoch and batch, so that with the same seed, batch size and data
     * the result is the same as one uninterrupted run.
     */
    public Trainer resumeAt(long stepsDone) {
        if (stepsDone < 0) throw new IllegalArgumentException("steps done must be >= 0, got " + stepsDone);
        this.resumeStep = stepsDone;
        return this;
    }

    /** Ends this run after {@code steps} more steps (0: at the planned end); the schedule still plans the whole run. */
    public Trainer stopAfter(long steps) {
        if (steps < 0) throw new IllegalArgumentException("stopAfter must be >= 0, got " + steps);
        this.stopAfter = steps;
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
        probeRanges(trainData, "training");
        probeRanges(testData, "test");
        int steps = batcher.batchesPerEpoch();
        if (steps == 0) {
            throw new DataFormatException("no training batches: " + trainData.size() + " examples"
                    + (options.dropLast() ? " is less than one batch of " + batch + " with drop-last" : ""));
        }

        if (options.steps() > 0) return fitSteps(batcher, testData, batch, runStart);

        long total = (long) steps * epochs, done = start(total, "epochs"), stop = stopAt(total, done);
        setTotalSteps(model, total);
        Metrics epochMetrics = new Metrics();
        Metrics[] perStep = perStepMetrics();
        long trainNanos = 0, trainExamples = 0;
        List<EpochStats> history = new ArrayList<>();
        Evaluation eval = null;
        try {
            for (int e = (int) (done / steps); e < epochs && done < stop; e++) {
                long epochStart = System.nanoTime();
                epochMetrics.reset();
                for (Metrics pm : perStep) pm.reset();
                progress.startEpoch(e + 1, epochs, steps);
                batcher.startEpoch(e);
                int step = (int) (done - (long) e * steps);
                batcher.skipBatches(step);
                int n;
                while (done < stop && (n = batcher.next()) > 0) {
                    float loss = trainSteps(n, perStep);
                    watch(loss, ++done, e + 1);
                    epochMetrics.addLoss(loss, n);
                    epochMetrics.addExamples(n);
                    progress.step(++step, epochMetrics.examples(), epochMetrics.loss());
                }
                long stepNanos = System.nanoTime() - epochStart;
                trainNanos += stepNanos;
                trainExamples += epochMetrics.examples();
                boolean last = e == epochs - 1 || done == stop;
                eval = null;
                if (testData != null && (options.evalEachEpoch() || last)) {
                    progress.evaluating();
                    eval = evaluate(model, testData, binding);
                }
                EpochStats stats = new EpochStats(e + 1, epochs, epochMetrics.loss(),
                        eval == null ? Double.NaN : eval.loss(), eval == null ? Double.NaN : eval.accuracy(),
                        epochMetrics.examples() / (stepNanos / 1e9), (System.nanoTime() - epochStart) / 1e9, 0, 0, extras(perStep, eval));
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
                trainExamples / (trainNanos / 1e9), lastEpoch.epoch(), (int) done, false, (System.nanoTime() - runStart) / 1e9, history, lastEpoch.extra());
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
        int step = (int) start(total, "steps"), stop = (int) stopAt(total, step);
        setTotalSteps(model, total);
        Metrics segment = new Metrics();
        Metrics[] perStep = perStepMetrics();
        long trainNanos = 0, trainExamples = 0;
        List<EpochStats> history = new ArrayList<>();
        Evaluation eval = null;
        int perEpoch = batcher.batchesPerEpoch(), epoch = step / perEpoch;
        try {
            batcher.startEpoch(epoch);
            batcher.skipBatches(step - epoch * perEpoch);
            while (step < stop) {
                long segmentStart = System.nanoTime();
                segment.reset();
                for (Metrics pm : perStep) pm.reset();
                progress.startSteps(step, total);
                int end = Math.min(stop, (step / every + 1) * every);
                while (step < end) {
                    int n = batcher.next();
                    if (n == 0) {
                        batcher.startEpoch(++epoch);
                        continue;
                    }
                    float loss = trainSteps(n, perStep);
                    watch(loss, step + 1, epoch + 1);
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
                        segment.examples() / (stepNanos / 1e9), (System.nanoTime() - segmentStart) / 1e9, step, total, extras(perStep, eval));
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
                trainExamples / (trainNanos / 1e9), epoch + 1, step, true, (System.nanoTime() - runStart) / 1e9, history, last.extra());
    }

    /**
     * Evaluates, before training, the examples that hold the smallest and the largest value of
     * every integer field (ids, labels), so that a value the model cannot take (a character beyond
     * its vocabulary, a class beyond its outputs) fails now, not at the end of the run. Changes
     * nothing in the model but its output buffers.
     */
    private void probeRanges(Dataset data, String split) {
        if (data == null || data.size() == 0) return;
        java.util.TreeSet<Integer> rows = new java.util.TreeSet<>();
        for (Dataset.Field f : data.fields()) {
            if (f.i32() == null) continue;
            int[] v = f.i32();
            int lo = 0, hi = 0;
            for (int i = 1; i < v.length; i++) {
                if (v[i] < v[lo]) lo = i;
                if (v[i] > v[hi]) hi = i;
            }
            rows.add(lo / f.perExample());
            rows.add(hi / f.perExample());
        }
        if (rows.isEmpty()) return;
        List<Dataset.Field> picked = new ArrayList<>();
        for (Dataset.Field f : data.fields()) {
            int per = f.perExample(), k = 0;
            float[] x = f.f32() == null ? null : new float[rows.size() * per];
            int[] y = f.i32() == null ? null : new int[rows.size() * per];
            for (int r : rows) {
                if (x != null) System.arraycopy(f.f32(), r * per, x, k * per, per);
                else System.arraycopy(f.i32(), r * per, y, k * per, per);
                k++;
            }
            picked.add(new Dataset.Field(f.name(), f.dtype(), f.shape(), x, y, f.role()));
        }
        try {
            evaluate(model, new Dataset(picked), binding);
        } catch (IllegalArgumentException e) {
            throw new DataFormatException("the " + split + " data hold a value the model cannot take: " + e.getMessage()
                    + " (checked before training; e.g. a character beyond the model's vocabulary, or a label beyond its classes)");
        }
    }

    /** The step this run starts at: 0, or where the resumed run stopped, which must be before the planned end. */
    private long start(long total, String unit) {
        if (resumeStep >= total) {
            throw new IllegalArgumentException("the checkpoint is at step " + resumeStep + " and this run plans " + total
                    + " steps in all: nothing left to train; to train longer, give a larger --" + unit
                    + " (the learning-rate schedule then stretches to the new total)");
        }
        return resumeStep;
    }

    private long stopAt(long total, long start) { return stopAfter > 0 ? Math.min(total, start + stopAfter) : total; }

    /**
     * Stops the run at the first non-finite loss, or non-finite gradient norm with a finite loss
     * (unless told to keep going).
     */
    private void watch(float loss, long step, int epoch) {
        if (!stopOnNonFinite) return;
        if (!Float.isFinite(loss)) {
            progress.abort();
            throw new DivergedException(step, epoch, loss, model.spec().train());
        }
        if (!Float.isFinite(gradNorm)) {
            progress.abort();
            throw DivergedException.gradient(step, epoch, loss, gradNorm, gradNormStep, model.spec().train());
        }
    }

    /** The gradient norm of the last batch's training steps: the first non-finite one, else the last step's. */
    private float gradNorm;
    /** The training step (of several) that {@link #gradNorm} is from, or null for a model with one. */
    private String gradNormStep;

    /** One running loss per training step of a model with several ({@link TrainConfig#steps()}); none for one step. */
    private Metrics[] perStepMetrics() {
        TrainConfig tc = model.spec().train();
        int k = tc == null ? 0 : tc.steps().size();
        Metrics[] r = new Metrics[k];
        for (int i = 0; i < k; i++) r[i] = new Metrics();
        return r;
    }

    /** Runs the model's training steps on the bound batch, in declared order; returns the (first) step's loss. */
    private float trainSteps(int n, Metrics[] perStep) {
        gradNormStep = null;
        if (perStep.length == 0) {
            float l = model.trainStep(n);
            gradNorm = model.gradNorm();
            return l;
        }
        float first = 0;
        gradNorm = 0;
        for (int s = 0; s < perStep.length; s++) {
            float l = model.trainStep(s, n);
            perStep[s].addLoss(l, n);
            if (s == 0) first = l;
            if (Float.isFinite(gradNorm)) {
                gradNorm = model.gradNorm();
                gradNormStep = model.spec().train().steps().get(s);
            }
        }
        return first;
    }

    /** {@code train_STEP_loss} per training step, then the evaluation's reported values. */
    private java.util.Map<String, Double> extras(Metrics[] perStep, Evaluation eval) {
        java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
        for (int s = 0; s < perStep.length; s++) m.put("train_" + model.spec().train().steps().get(s) + "_loss", perStep[s].loss());
        if (eval != null) m.putAll(eval.reports());
        return m;
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
        List<String> reportNames = model.spec().train() == null ? List.of() : model.spec().train().reports();
        double[] reportSums = new double[reportNames.size()];
        long reportExamples = 0;
        int n;
        while ((n = batcher.next()) > 0) {
            m.addLoss(model.evaluate(n), n);
            for (int i = 0; i < reportSums.length; i++) reportSums[i] += (double) model.report(i) * n;
            reportExamples += n;
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
        java.util.Map<String, Double> reports = new java.util.LinkedHashMap<>();
        for (int i = 0; i < reportSums.length; i++) reports.put(reportNames.get(i), reportExamples == 0 ? Double.NaN : reportSums[i] / reportExamples);
        return new Evaluation(m.loss(), accuracy, data.size(), (System.nanoTime() - start) / 1e9, reports);
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
