package dev.ingot.runtime.train;

/**
 * Metrics of one training epoch or, when training for a number of steps, of the steps since the
 * previous evaluation.
 *
 * @param epoch              1-based epoch number (in steps mode: the pass over the data in progress)
 * @param epochs             total number of epochs of the run (0 in steps mode)
 * @param trainLoss          mean training loss over the epoch's (or segment's) examples (as the weights changed)
 * @param testLoss           test loss at the end; NaN when not evaluated
 * @param testAccuracy       test accuracy at the end; NaN when not evaluated or not a classifier
 * @param examplesPerSecond  training throughput (evaluation excluded)
 * @param seconds            wall time, evaluation included
 * @param step               steps mode: optimizer steps done at the end of the segment; 0 in epochs mode
 * @param steps              steps mode: the planned total; 0 in epochs mode
 * @param extra              further metrics by name: each training step's loss ({@code train_disc_loss}) for a model
 *                           with several steps, and the values of {@code report: [...]} on the test set
 */
public record EpochStats(int epoch, int epochs, double trainLoss, double testLoss, double testAccuracy,
                         double examplesPerSecond, double seconds, int step, int steps, java.util.Map<String, Double> extra) {
    public EpochStats {
        extra = extra == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(extra));
    }

    public EpochStats(int epoch, int epochs, double trainLoss, double testLoss, double testAccuracy, double examplesPerSecond, double seconds, int step, int steps) {
        this(epoch, epochs, trainLoss, testLoss, testAccuracy, examplesPerSecond, seconds, step, steps, java.util.Map.of());
    }

    /** Stats of an epoch (epochs mode). */
    public EpochStats(int epoch, int epochs, double trainLoss, double testLoss, double testAccuracy, double examplesPerSecond, double seconds) {
        this(epoch, epochs, trainLoss, testLoss, testAccuracy, examplesPerSecond, seconds, 0, 0);
    }

    /** Whether these are the stats of a segment of a run measured in steps. */
    public boolean bySteps() { return steps > 0; }
}
