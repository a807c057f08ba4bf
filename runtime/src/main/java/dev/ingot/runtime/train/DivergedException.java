package dev.ingot.runtime.train;

import dev.ingot.runtime.model.TrainConfig;

/**
 * Training produced a non-finite loss or gradient norm (NaN or infinite): the run stops there,
 * naming the step, the loss (and the gradient norm) and the likely causes, instead of going on with
 * NaN weights.
 */
public final class DivergedException extends RuntimeException {
    private final long step;
    private final float loss;

    public DivergedException(long step, int epoch, float loss, TrainConfig tc) {
        this(message(step, epoch, loss, tc), step, loss);
    }

    private DivergedException(String message, long step, float loss) {
        super(message, null, false, false);
        this.step = step;
        this.loss = loss;
    }

    /**
     * The gradient norm became NaN or infinite while the loss is finite: an operation whose gradient
     * is infinite where the model evaluates it (sqrt or log at 0, a division by 0), or gradients that
     * overflow float32.
     *
     * @param trainStep which of several training steps (a GAN's), or null
     */
    public static DivergedException gradient(long step, int epoch, float loss, float gradNorm, String trainStep, TrainConfig tc) {
        String opt = tc == null ? "" : " (" + tc.optimizer() + " with lr " + tc.hyper().get("lr") + ")";
        return new DivergedException("training diverged at step " + step + " (epoch " + epoch + "): the gradient norm"
                + (trainStep == null ? "" : " of training step " + trainStep) + " is " + gradNorm + " while the loss is " + loss
                + ". Likely causes: an operation whose gradient is infinite at the values the model reaches (sqrt or log at 0,"
                + " a division by a value that reaches 0; add a small epsilon: sqrt(x + 1e-8), log(x + 1e-8)), or gradients that overflow"
                + " float32 under a learning rate too high for this model" + opt + ". Try a lower lr or gradient clipping (clip: 1.0);"
                + " --allow-non-finite keeps training anyway", step, loss);
    }

    /** The 1-based optimizer step whose loss was not finite. */
    public long step() { return step; }

    public float loss() { return loss; }

    private static String message(long step, int epoch, float loss, TrainConfig tc) {
        String opt = tc == null ? "" : " (" + tc.optimizer() + " with lr " + tc.hyper().get("lr") + ")";
        return "training diverged at step " + step + " (epoch " + epoch + "): the loss is " + loss + ". Likely causes: a learning rate"
                + " too high for this model" + opt + ", or non-finite values or out-of-range labels in the data."
                + " Try a lower lr, a warm-up (schedule: cosine(warmup = 100)) or gradient clipping (clip: 1.0);"
                + " --allow-non-finite keeps training anyway";
    }
}
