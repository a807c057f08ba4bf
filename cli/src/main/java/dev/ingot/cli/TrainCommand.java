package dev.ingot.cli;

import dev.ingot.compiler.Compiler;
import dev.ingot.runtime.data.CharCorpus;
import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.data.ReverseTask;
import dev.ingot.runtime.io.Checkpoint;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.ModelSpec;
import dev.ingot.runtime.model.TrainConfig;
import dev.ingot.runtime.train.Progress;
import dev.ingot.runtime.train.TrainResult;
import dev.ingot.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ingot train MODEL.ingot}: compile, load the data of the train block, train, evaluate, save. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model on the data its train block names, showing progress; evaluate on the test (for chars: validation) split after each epoch, or every --eval-every and after --steps steps.")
final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.ingot") Path model;
    @Option(names = "--data", paramLabel = "PATH", description = "Directory of the data, or the text file of a chars corpus (overrides the train block's).") Path data;
    @Option(names = "--epochs", paramLabel = "N", description = "Number of epochs (default: the train block's).") int epochs;
    @Option(names = "--steps", paramLabel = "N", description = "Train for N steps (batches) instead of epochs, evaluating at the end.") int steps;
    @Option(names = "--eval-every", paramLabel = "N", description = "With --steps: also evaluate every N steps.") int evalEvery;
    @Option(names = "--batch", paramLabel = "N", description = "Batch size (default: the train block's).") int batch;
    @Option(names = "--limit-train", paramLabel = "N", description = "Train on the first N examples only.") int limitTrain;
    @Option(names = "--limit-test", paramLabel = "N", description = "Evaluate on the first N test examples only.") int limitTest;
    @Option(names = "--threads", paramLabel = "N", description = "Threads (default: all cores).") int threads;
    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of initialization and shuffling (default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--load", paramLabel = "CKPT", description = "Start from a checkpoint (.safetensors) instead of a fresh initialization.") Path load;
    @Option(names = "--save", paramLabel = "CKPT", description = "Write the trained parameters and optimizer state (.safetensors).") Path save;
    @Option(names = "--metrics", paramLabel = "FILE.json", description = "Write final metrics as JSON.") Path metrics;
    @Option(names = "--quiet", description = "Print only the final metrics.") boolean quiet;
    @Option(names = "--samples", paramLabel = "FILE.png", description = "Write a PNG of test images, each above the model's image-sized outputs for it (reconstructions, decoded random latents, generated digits).") Path samples;
    @Option(names = "--stop-after", paramLabel = "N", description = "End this run after N steps, the schedule still planning the whole --epochs/--steps; with --save, continue later with --load.") int stopAfter;
    @Option(names = "--allow-non-finite", description = "Keep training when the loss or the gradient norm becomes NaN or infinite (by default the run stops there, exit 1).") boolean allowNonFinite;
    @Option(names = "--early-stopping", paramLabel = "N", description = "Stop when the held-out metric (test accuracy, else test loss) has not improved for N evaluations (default: the train block's early_stopping).") Integer earlyStopping;
    @Option(names = "--save-best", paramLabel = "CKPT", description = "Write a checkpoint whenever the held-out metric improves.") Path saveBest;
    @Option(names = "--save-every", paramLabel = "N", description = "With --save: also write the checkpoint after every N-th evaluation (every N epochs; with --steps every N --eval-every segments).") int saveEvery;
    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw the loss and metric curves of the run (per epoch or evaluation) as a PNG.") Path plot;

    @Override public Integer call() throws Exception {
        if (epochs < 0 || batch < 0 || limitTrain < 0 || limitTest < 0 || steps < 0 || evalEvery < 0) {
            throw new Errors.UsageException("--epochs, --steps, --eval-every, --batch and the limits must be positive");
        }
        if (steps > 0 && epochs > 0) throw new Errors.UsageException("give --epochs or --steps, not both");
        if (evalEvery > 0 && steps == 0) throw new Errors.UsageException("--eval-every needs --steps");
        if (stopAfter < 0) throw new Errors.UsageException("--stop-after must be positive, got " + stopAfter);
        Models.checkBatch(batch);
        Models.writable("--save", save);
        Models.writable("--metrics", metrics);
        Models.writable("--samples", samples);
        Models.writable("--save-best", saveBest);
        Models.writable("--plot", plot);
        if (saveEvery < 0 || earlyStopping != null && earlyStopping < 0) throw new Errors.UsageException("--save-every and --early-stopping must be positive");
        if (saveEvery > 0 && save == null) throw new Errors.UsageException("--save-every needs --save CKPT (the file it writes)");
        int nThreads = Models.threads(threads);
        long t0 = System.nanoTime();
        Compiler.Result r = Models.compile(model, Compiler.Options.defaults());
        TrainConfig tc = r.model().train();
        if (tc == null) throw new Errors.UsageException(model + ": model " + r.model().name() + " has no train block, so it cannot be trained");
        int b = batch > 0 ? batch : tc.batch();
        CompiledModel m = r.instantiate(b);
        if (samples != null) samplesShape(m.spec());
        m.initialize(seed);
        double compileSeconds = (System.nanoTime() - t0) / 1e9;
        long resumeStep = load == null ? 0 : resumeStep(Checkpoint.load(load, m), m);

        TrainConfig.DataSpec ds = tc.data();
        Path base = model.toAbsolutePath().getParent();
        if (data != null) {
            String kind = ds == null ? "idx" : ds.kind();
            if (kind.equals(ReverseTask.KIND)) throw new Errors.UsageException("--data does not apply to generated data (" + kind + ")");
            if (kind.equals(dev.ingot.runtime.data.Npy.NPY)) throw new Errors.UsageException("--data does not apply to npy(x, y): name the two files in the train block");
            Map<String, String> opts = new LinkedHashMap<>(ds == null ? Map.of() : ds.options());
            opts.put(dataKey(kind), data.toAbsolutePath().toString());
            ds = new TrainConfig.DataSpec(kind, opts);
        }
        if (ds == null) throw new Errors.UsageException(model + ": no data source: add one to the train block, e.g. data: mnist(\"data/mnist\"), or pass --data DIR");
        Dataset train = Dataset.load(ds, base, "train"), test = Dataset.load(ds, base, "test");
        boolean chars = ds.kind().equals(CharCorpus.KIND);
        String testName = chars ? "validation" : "test";

        ModelSpec spec = m.spec();
        if (!quiet) {
            System.out.printf("%s (%s): %,d parameters, %s%s, batch %d%n", spec.name(), model, spec.parameterCount(), tc.optimizer(), hyper(tc), b);
            System.out.printf("data: %,d training and %,d %s examples from %s%n", limit(train.size(), limitTrain), limit(test.size(), limitTest),
                    testName, source(ds, base));
            System.out.printf("compiled in %.1f s; %d thread%s; JDK %s%n", compileSeconds, nThreads, nThreads == 1 ? "" : "s", Models.jdk());
            if (!tc.steps().isEmpty()) System.out.printf("training steps per batch, in order: %s%n", String.join(", ", tc.steps()));
        }
        Trainer.Options o = Trainer.Options.defaults().withSeed(seed).withEpochs(epochs).withSteps(steps).withEvalEvery(evalEvery)
                .withBatchSize(b).withLimitTrain(limitTrain).withLimitTest(limitTest);
        String label = chars ? "val" : "test"; // a language model's held-out split is its validation split
        Progress progress = quiet ? Progress.quiet() : new Progress(System.out, Progress.Mode.AUTO).testLabel(label);
        if (resumeStep > 0 && !quiet) System.out.printf("resuming at step %,d of the run in %s%n", resumeStep, load);
        dev.ingot.runtime.train.TrainingControl control = new dev.ingot.runtime.train.TrainingControl(m, quiet ? null : System.out)
                .saveBest(saveBest).metadata(Map.of("source", model.getFileName().toString()));
        if (earlyStopping != null) control.earlyStopping(earlyStopping);
        if (saveEvery > 0) control.saveEvery(saveEvery, save);
        TrainResult res = new Trainer(m).options(o).progress(progress).stopOnNonFinite(!allowNonFinite).resumeAt(resumeStep)
                .stopAfter(stopAfter).monitor(control.active() ? control : null).fit(train, test);
        boolean mse = tc.metric().equals("mse");
        String quality = mse ? String.format("  %s_mse %.5f", label, res.testLoss())
                : Double.isNaN(res.testAccuracy()) ? "" : String.format("  %s_accuracy %.4f", label, res.testAccuracy());
        // a forecast is judged against the naive one: the next value equals the last
        double baseline = mse && dev.ingot.runtime.data.Csv.isWindowed(ds) ? dev.ingot.runtime.data.Csv.lastValueBaselineMse(ds, base) : Double.NaN;
        if (!Double.isNaN(baseline)) quality += String.format("  baseline_mse %.5f", baseline);
        StringBuilder more = new StringBuilder();
        res.extra().forEach((k, v) -> more.append(String.format(java.util.Locale.ROOT, "  %s %.4f", k, v)));
        System.out.printf("final: train_loss %.4f  %s_loss %.4f%s%s  %,.0f examples/s  %.1f s%n",
                res.trainLoss(), label, res.testLoss(), quality, more, res.trainExamplesPerSecond(), res.seconds());
        if (samples != null) writeSamples(m, test, samples);
        if (save != null) {
            String bad = nonFinite(m);
            if (bad == null && !Double.isFinite(res.trainLoss())) bad = "the training loss is " + res.trainLoss();
            if (bad != null && (!allowNonFinite || java.nio.file.Files.exists(save)))
                throw new dev.ingot.runtime.io.DataFormatException("not saving " + save + ": " + bad
                        + (allowNonFinite ? " (--allow-non-finite never overwrites a checkpoint with a diverged model)" : ""));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("source", model.getFileName().toString());
            meta.put("epochs", Integer.toString(res.epochs()));
            meta.put("steps", Integer.toString(res.steps()));
            meta.put("seed", Long.toString(seed));
            meta.put("batch", Integer.toString(b));
            meta.put("train_examples", Integer.toString(res.trainExamples()));
            Checkpoint.save(save, m, meta);
            System.out.println("saved " + save);
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("source", model.toString());
        extra.put("data", ds.kind());
        if (chars) extra.put("val_loss", res.testLoss()); // test_loss stays too: the same number, under its generic name
        if (mse) extra.put("test_mse", res.testLoss());
        if (!Double.isNaN(baseline)) extra.put("baseline_mse", baseline);
        if (control.stopReason() != null) extra.put("stopped", control.stopReason());
        if (metrics != null) {
            res.writeMetrics(metrics, nThreads, extra);
            System.out.println("wrote " + metrics);
        }
        if (plot != null) {
            Map<String, Object> all = res.toMap(nThreads);
            all.putAll(extra);
            dev.ingot.runtime.train.TrainingPlot.write(plot, dev.ingot.runtime.train.TrainingPlot.Series.fromMetrics(model.toString(), all));
            System.out.println("wrote " + plot);
        }
        return 0;
    }

    /** The steps a loaded checkpoint's run had done: its metadata's, else its schedule's step counter. */
    private long resumeStep(Checkpoint.LoadResult loaded, CompiledModel m) {
        Map<String, String> meta = loaded.metadata();
        long done = 0;
        try {
            if (meta.containsKey("steps")) done = Long.parseLong(meta.get("steps"));
            else for (var s : m.spec().state()) if (s.name().equals("opt.step")) done = (long) m.state(s.name())[0];
        } catch (NumberFormatException e) {
            throw new dev.ingot.runtime.io.DataFormatException("checkpoint " + load + ": metadata 'steps' is not a number: " + meta.get("steps"));
        }
        int b = batch > 0 ? batch : m.spec().train().batch();
        if (done > 0 && !quiet && (!Long.toString(seed).equals(meta.getOrDefault("seed", Long.toString(seed)))
                || !Integer.toString(b).equals(meta.getOrDefault("batch", Integer.toString(b)))))
            System.out.println("note: the checkpoint's run used --seed " + meta.get("seed") + " and batch " + meta.get("batch")
                    + "; with other values the data order is not that run's");
        return done;
    }

    /** Which parameter holds NaN or an infinity, or null. */
    private static String nonFinite(CompiledModel m) {
        for (var p : m.spec().params()) for (float v : m.param(p.name())) if (!Float.isFinite(v)) return "parameter '" + p.name() + "' holds NaN or infinite values";
        return null;
    }

    /**
     * Checks before training that the model can produce --samples: a square image as its first input and an output of
     * the same size. Returns the pixels per image.
     */
    private static int samplesShape(ModelSpec spec) {
        if (spec.inputs().isEmpty() || spec.outputs().isEmpty())
            throw new Errors.UsageException("--samples needs a model with an image input and an image output; " + spec.name() + " has none");
        dev.ingot.runtime.model.TensorSpec in = spec.inputs().get(0);
        int per = in.numelPerExample(), side = (int) Math.round(Math.sqrt(per));
        if (in.dtype() != dev.ingot.runtime.model.DType.F32 || side * side != per || imageOutputs(spec, per).isEmpty())
            throw new Errors.UsageException("--samples needs a model whose first input is a square image (e.g. 28x28) and with an output of the same size; "
                    + spec.name() + " maps " + in.shapeString() + " to " + spec.outputs().stream().map(o -> o.name() + " " + o.shapeString()).toList());
        return per;
    }

    /** The outputs with {@code per} values per example (images the size of the input). */
    private static java.util.List<Integer> imageOutputs(ModelSpec spec, int per) {
        java.util.List<Integer> r = new java.util.ArrayList<>();
        for (int i = 0; i < spec.outputs().size(); i++) if (spec.outputs().get(i).numelPerExample() == per) r.add(i);
        return r;
    }

    /**
     * 32 test images, each above the model's image-shaped outputs for it (an autoencoder's reconstruction, a
     * VAE's reconstruction and an image decoded from random latents, a GAN's generated digits), as a PNG grid.
     */
    private static void writeSamples(CompiledModel m, Dataset test, Path png) throws java.io.IOException {
        ModelSpec spec = m.spec();
        dev.ingot.runtime.model.TensorSpec in = spec.inputs().get(0);
        int per = samplesShape(spec), side = (int) Math.round(Math.sqrt(per));
        java.util.List<Integer> imageOutputs = imageOutputs(spec, per);
        int count = Math.min(32, Math.min(m.maxBatch(), test.size()));
        Dataset.Field images = null;
        for (Dataset.Field f : test.fields()) if (f.perExample() == per && f.f32() != null && images == null) images = f;
        if (images == null) throw new Errors.UsageException("--samples: the test data has no field of " + per + " values per example");
        float[] x = m.inputF32(in.name());
        System.arraycopy(images.f32(), 0, x, 0, count * per);
        m.predict(count);
        java.util.List<float[]> layers = new java.util.ArrayList<>(java.util.List.of(java.util.Arrays.copyOf(x, count * per)));
        for (int i : imageOutputs) layers.add(java.util.Arrays.copyOf(m.output(i), count * per));
        dev.ingot.runtime.io.ImageGrid.writeStacks(png, layers, count, side, side, 8, 3);
        System.out.println("wrote " + png + " (" + count + " test images, each above " + String.join(", ", imageOutputs.stream().map(i -> spec.outputs().get(i).name()).toList()) + ")");
    }

    /** Where the data comes from, for the header line. */
    private static String source(TrainConfig.DataSpec ds, Path base) {
        if (ds.kind().equals(ReverseTask.KIND)) return "the generated " + ds.kind() + " task";
        String where = ds.options().get(ds.kind().equals(dev.ingot.runtime.data.Npy.NPY) ? "x" : dataKey(ds.kind()));
        return where == null ? ds.kind() : base.resolve(where).normalize().toString();
    }

    /** The option of a data source that --data replaces: the file of a chars, csv or npz source, else the directory. */
    private static String dataKey(String kind) {
        return kind.equals(CharCorpus.KIND) || kind.equals(dev.ingot.runtime.data.Csv.KIND) || kind.equals(dev.ingot.runtime.data.Npy.NPZ) ? "file" : "dir";
    }

    private static int limit(int size, int limit) { return limit > 0 ? Math.min(size, limit) : size; }

    private static String hyper(TrainConfig tc) {
        StringBuilder sb = new StringBuilder("(");
        java.util.TreeMap<String, Double> sorted = new java.util.TreeMap<>((x, y) -> x.equals("lr") ? -1 : y.equals("lr") ? 1 : x.compareTo(y));
        sorted.putAll(tc.hyper());
        sorted.forEach((k, v) -> {
            if (v != 0 || k.equals("lr")) sb.append(sb.length() > 1 ? ", " : "").append(k).append('=').append(v % 1 == 0 ? Long.toString(v.longValue()) : v.toString());
        });
        return sb.append(')').toString();
    }
}
