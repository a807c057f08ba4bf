package dev.ingot.runtime.train;

import dev.ingot.runtime.io.Checkpoint;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.TensorSpec;
import dev.ingot.runtime.model.TrainConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What happens after each evaluation of a run ({@link Trainer#monitor}), as Keras' callbacks
 * {@code EarlyStopping}, {@code ModelCheckpoint} and {@code ReduceLROnPlateau}:
 * <ul>
 *   <li>the held-out metric is the test accuracy when there is one (higher is better), else the
 *       test loss (lower is better); an evaluation improves on the best one when strictly better;</li>
 *   <li>early stopping: stop when {@code patience} evaluations in a row have not improved;</li>
 *   <li>save best: write a checkpoint whenever the metric improves;</li>
 *   <li>save every N: write a checkpoint after every N-th evaluation (every N epochs, or with
 *       {@code --steps} every N {@code --eval-every} segments);</li>
 *   <li>plateau: multiply the model's learning-rate scale (state {@link TrainConfig#LR_SCALE}) by
 *       {@code factor} after {@code patience} evaluations without improvement. The scale is model
 *       state, so checkpoints keep it and a resumed run continues with the reduced rate.</li>
 * </ul>
 * The counters (best value, evaluations since it) live in this object and start afresh when a run
 * is resumed from a checkpoint.
 */
public final class TrainingControl implements Trainer.Monitor {
    private final CompiledModel model;
    private final PrintStream log;
    private int patience;
    private double factor;
    private int plateauPatience;
    private Path best;
    private Path periodic;
    private int every;
    private Map<String, String> meta = Map.of();

    private double bestScore = Double.NaN;
    private int evaluations, sinceBest, sincePlateau, bestEvaluation;
    private String stopReason;

    /** Control of {@code model} as its train block asks ({@code early_stopping}, a {@code plateau} schedule); messages to {@code log} (may be null). */
    public TrainingControl(CompiledModel model, PrintStream log) {
        this.model = model;
        this.log = log;
        TrainConfig tc = model.spec().train();
        if (tc != null) {
            patience = tc.hyper().getOrDefault(TrainConfig.EARLY_STOPPING, 0.0).intValue();
            factor = tc.hyper().getOrDefault(TrainConfig.PLATEAU_FACTOR, 0.0);
            plateauPatience = tc.hyper().getOrDefault(TrainConfig.PLATEAU_PATIENCE, 0.0).intValue();
        }
    }

    /** Early stopping after {@code n} evaluations without improvement (0: none); overrides the train block's. */
    public TrainingControl earlyStopping(int n) {
        if (n < 0) throw new IllegalArgumentException("early stopping patience must be >= 0, got " + n);
        this.patience = n;
        return this;
    }

    /** Write a checkpoint to {@code path} whenever the held-out metric improves (null: never). */
    public TrainingControl saveBest(Path path) {
        this.best = path;
        return this;
    }

    /** Write a checkpoint to {@code path} after every {@code n}-th evaluation. */
    public TrainingControl saveEvery(int n, Path path) {
        if (n < 1) throw new IllegalArgumentException("save-every must be >= 1, got " + n);
        this.every = n;
        this.periodic = path;
        return this;
    }

    /** Metadata written into every checkpoint (with the epoch or step added). */
    public TrainingControl metadata(Map<String, String> m) {
        this.meta = Map.copyOf(m);
        return this;
    }

    /** Whether anything is to be done at all. */
    public boolean active() { return patience > 0 || factor > 0 || best != null || every > 0; }

    /** Why the run stopped early, or null. */
    public String stopReason() { return stopReason; }

    /** The best held-out score so far (accuracy, or minus the loss), NaN before the first evaluation. */
    public double bestScore() { return bestScore; }

    /** The learning-rate scale of a plateau schedule (1 without one). */
    public double lrScale() {
        float[] s = lrState();
        return s == null ? 1 : s[0];
    }

    @Override
    public boolean afterEvaluation(EpochStats s) {
        evaluations++;
        double score = !Double.isNaN(s.testAccuracy()) ? s.testAccuracy() : -s.testLoss();
        String where = s.bySteps() ? "step " + s.step() : "epoch " + s.epoch();
        if (!Double.isNaN(score)) {
            if (Double.isNaN(bestScore) || score > bestScore) {
                bestScore = score;
                bestEvaluation = evaluations;
                sinceBest = 0;
                sincePlateau = 0;
                if (best != null) {
                    save(best, s);
                    say("saved the best so far (" + describe(score, s) + ") to " + best);
                }
            } else {
                sinceBest++;
                sincePlateau++;
                float[] scale = lrState();
                if (factor > 0 && scale != null && sincePlateau >= plateauPatience) {
                    scale[0] = (float) (scale[0] * factor);
                    sincePlateau = 0;
                    say(String.format(Locale.ROOT, "no improvement for %d evaluation%s: learning rate x %s (now x %.4g of the base rate)",
                            plateauPatience, plateauPatience == 1 ? "" : "s", factor, scale[0]));
                }
            }
        }
        if (every > 0 && evaluations % every == 0) {
            save(periodic, s);
            say("saved " + periodic + " (" + where + ")");
        }
        if (patience > 0 && sinceBest >= patience) {
            stopReason = "early stopping at " + where + ": no improvement for " + patience + " evaluation" + (patience == 1 ? "" : "s")
                    + " (best: evaluation " + bestEvaluation + ", " + describe(bestScore, s) + ")";
            say(stopReason);
            return true;
        }
        return false;
    }

    private static String describe(double score, EpochStats s) {
        return !Double.isNaN(s.testAccuracy()) ? String.format(Locale.ROOT, "accuracy %.4f", score) : String.format(Locale.ROOT, "test loss %.4f", -score);
    }

    private float[] lrState() {
        for (TensorSpec t : model.spec().state()) if (t.name().equals(TrainConfig.LR_SCALE)) return model.state(t.name());
        return null;
    }

    private void save(Path p, EpochStats s) {
        Map<String, String> m = new LinkedHashMap<>(meta);
        if (s.bySteps()) m.put("steps", Integer.toString(s.step()));
        else m.put("epochs", Integer.toString(s.epoch()));
        try {
            Checkpoint.save(p, model, m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + p + ": " + e.getMessage(), e);
        }
    }

    private void say(String line) {
        if (log != null) log.println(line);
    }
}
