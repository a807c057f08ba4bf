package dev.ingot.cli;

import dev.ingot.compiler.Compiler;
import dev.ingot.runtime.data.Dataset;
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
@Command(name = "train", description = "Train a model on the data its train block names, showing progress; evaluate on the test split after each epoch.")
final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.ingot") Path model;
    @Option(names = "--data", paramLabel = "DIR", description = "Directory of the data (overrides the train block's).") Path data;
    @Option(names = "--epochs", paramLabel = "N", description = "Number of epochs (default: the train block's).") int epochs;
    @Option(names = "--batch", paramLabel = "N", description = "Batch size (default: the train block's).") int batch;
    @Option(names = "--limit-train", paramLabel = "N", description = "Train on the first N examples only.") int limitTrain;
    @Option(names = "--limit-test", paramLabel = "N", description = "Evaluate on the first N test examples only.") int limitTest;
    @Option(names = "--threads", paramLabel = "N", description = "Threads (default: all cores).") int threads;
    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of initialization and shuffling (default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--load", paramLabel = "CKPT", description = "Start from a checkpoint (.safetensors) instead of a fresh initialization.") Path load;
    @Option(names = "--save", paramLabel = "CKPT", description = "Write the trained parameters and optimizer state (.safetensors).") Path save;
    @Option(names = "--metrics", paramLabel = "FILE.json", description = "Write final metrics as JSON.") Path metrics;
    @Option(names = "--quiet", description = "Print only the final metrics.") boolean quiet;

    @Override public Integer call() throws Exception {
        if (epochs < 0 || batch < 0 || limitTrain < 0 || limitTest < 0) throw new Errors.UsageException("--epochs, --batch and the limits must be positive");
        int nThreads = Models.threads(threads);
        long t0 = System.nanoTime();
        Compiler.Result r = Models.compile(model, Compiler.Options.defaults());
        TrainConfig tc = r.model().train();
        if (tc == null) throw new Errors.UsageException(model + ": model " + r.model().name() + " has no train block, so it cannot be trained");
        int b = batch > 0 ? batch : tc.batch();
        CompiledModel m = r.instantiate(b);
        m.initialize(seed);
        double compileSeconds = (System.nanoTime() - t0) / 1e9;
        if (load != null) Checkpoint.load(load, m);

        TrainConfig.DataSpec ds = tc.data();
        Path base = model.toAbsolutePath().getParent();
        if (data != null) {
            Map<String, String> opts = new LinkedHashMap<>(ds == null ? Map.of() : ds.options());
            opts.put("dir", data.toAbsolutePath().toString());
            ds = new TrainConfig.DataSpec(ds == null ? "idx" : ds.kind(), opts);
        }
        if (ds == null) throw new Errors.UsageException(model + ": no data source: add one to the train block, e.g. data: mnist(\"data/mnist\"), or pass --data DIR");
        Dataset train = Dataset.load(ds, base, "train"), test = Dataset.load(ds, base, "test");

        ModelSpec spec = m.spec();
        if (!quiet) {
            System.out.printf("%s (%s): %,d parameters, %s%s, batch %d%n", spec.name(), model, spec.parameterCount(), tc.optimizer(), hyper(tc), b);
            System.out.printf("data: %,d training and %,d test examples from %s%n", limit(train.size(), limitTrain), limit(test.size(), limitTest), base.resolve(ds.options().get("dir")).normalize());
            System.out.printf("compiled in %.1f s; %d thread%s; JDK %s%n", compileSeconds, nThreads, nThreads == 1 ? "" : "s", Models.jdk());
        }
        Trainer.Options o = Trainer.Options.defaults().withSeed(seed).withEpochs(epochs).withBatchSize(b).withLimitTrain(limitTrain).withLimitTest(limitTest);
        TrainResult res = new Trainer(m).options(o).progress(quiet ? Progress.quiet() : new Progress(System.out, Progress.Mode.AUTO)).fit(train, test);
        System.out.printf("final: train_loss %.4f  test_loss %.4f  test_accuracy %.4f  %,.0f examples/s  %.1f s%n",
                res.trainLoss(), res.testLoss(), res.testAccuracy(), res.trainExamplesPerSecond(), res.seconds());
        if (save != null) {
            Checkpoint.save(save, m, Map.of("source", model.getFileName().toString(), "epochs", Integer.toString(res.epochs())));
            System.out.println("saved " + save);
        }
        if (metrics != null) {
            res.writeMetrics(metrics, nThreads, Map.of("source", model.toString()));
            System.out.println("wrote " + metrics);
        }
        return 0;
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
