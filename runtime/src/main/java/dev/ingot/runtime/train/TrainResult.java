package dev.ingot.runtime.train;

import dev.ingot.runtime.io.AtomicFile;
import dev.ingot.runtime.io.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link Trainer#fit}: final metrics and the per-epoch history.
 *
 * @param model                    model name
 * @param parameters               number of trainable scalars
 * @param batchSize                training batch size
 * @param trainExamples            training examples per epoch
 * @param testExamples             test examples (0 without a test set)
 * @param trainLoss                mean training loss of the last epoch
 * @param testLoss                 test loss after the last epoch; NaN without a test set
 * @param testAccuracy             test accuracy after the last epoch; NaN if not applicable
 * @param trainExamplesPerSecond   over all training steps, evaluation excluded
 * @param epochs                   epochs run (in steps mode: passes over the data begun)
 * @param steps                    optimizer steps run
 * @param bySteps                  whether the run was planned in steps ({@link Trainer.Options#withSteps})
 * @param seconds                  wall time of the whole run, evaluation included
 * @param history                  one entry per epoch (in steps mode: per evaluation)
 * @param extra                    further final metrics by name (each training step's loss, reported values), see {@link EpochStats#extra()}
 */
public record TrainResult(String model, long parameters, int batchSize, int trainExamples, int testExamples,
                          double trainLoss, double testLoss, double testAccuracy, double trainExamplesPerSecond,
                          int epochs, int steps, boolean bySteps, double seconds, List<EpochStats> history, Map<String, Double> extra) {
    public TrainResult {
        history = List.copyOf(history);
        extra = extra == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    public TrainResult(String model, long parameters, int batchSize, int trainExamples, int testExamples,
                       double trainLoss, double testLoss, double testAccuracy, double trainExamplesPerSecond,
                       int epochs, int steps, boolean bySteps, double seconds, List<EpochStats> history) {
        this(model, parameters, batchSize, trainExamples, testExamples, trainLoss, testLoss, testAccuracy, trainExamplesPerSecond,
                epochs, steps, bySteps, seconds, history, Map.of());
    }

    /** The metrics as a JSON-ready map (NaN becomes null when written). */
    public Map<String, Object> toMap(int threads) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("train_loss", trainLoss);
        m.put("test_loss", testLoss);
        m.put("test_accuracy", testAccuracy);
        m.putAll(extra);
        m.put("train_examples_per_second", trainExamplesPerSecond);
        m.put("epochs", epochs);
        m.put("steps", steps);
        m.put("seconds", seconds);
        m.put("batch_size", batchSize);
        m.put("train_examples", trainExamples);
        m.put("test_examples", testExamples);
        m.put("parameters", parameters);
        m.put("threads", threads);
        m.put("jdk", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        List<Object> h = new ArrayList<>();
        for (EpochStats e : history) {
            Map<String, Object> x = new LinkedHashMap<>();
            if (e.bySteps()) x.put("step", e.step());
            else x.put("epoch", e.epoch());
            x.put("train_loss", e.trainLoss());
            x.put("test_loss", e.testLoss());
            x.put("test_accuracy", e.testAccuracy());
            x.putAll(e.extra());
            x.put("examples_per_second", e.examplesPerSecond());
            x.put("seconds", e.seconds());
            h.add(x);
        }
        m.put("history", h);
        return m;
    }

    /**
     * Writes the metrics JSON file atomically: {@code train_loss}, {@code test_loss},
     * {@code test_accuracy}, {@code train_examples_per_second}, {@code epochs}, {@code steps}, {@code threads},
     * {@code jdk}, the model name, timings and history, plus {@code extra} entries (which win on
     * a name clash).
     */
    public void writeMetrics(Path path, int threads, Map<String, ?> extra) throws IOException {
        Map<String, Object> m = toMap(threads);
        m.putAll(extra);
        AtomicFile.writeString(path, Json.writePretty(m));
    }
}
