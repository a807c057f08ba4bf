package dev.ingot.runtime.train;

import dev.ingot.runtime.model.TrainConfig;

/**
 * Training produced a non-finite loss (NaN or infinite): the run stops there, naming the step, the
 * loss and the likely causes, instead of going on with NaN weights.
 */
public final class DivergedException extends RuntimeException {
    private final long step;
    private final float loss;

    public DivergedException(long step, int epoch, float loss, TrainConfig tc) {
        super(message(step, epoch, loss, tc), null, false, false);
        this.step = step;
        this.loss = loss;
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
