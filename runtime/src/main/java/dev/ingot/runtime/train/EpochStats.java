package dev.ingot.runtime.train;

/**
 * Metrics of one training epoch.
 *
 * @param epoch              1-based epoch number
 * @param epochs             total number of epochs of the run
 * @param trainLoss          mean training loss over the epoch's examples (as the weights changed)
 * @param testLoss           test loss after the epoch; NaN when not evaluated
 * @param testAccuracy       test accuracy after the epoch; NaN when not evaluated or not a classifier
 * @param examplesPerSecond  training throughput of the epoch (evaluation excluded)
 * @param seconds            wall time of the epoch, evaluation included
 */
public record EpochStats(int epoch, int epochs, double trainLoss, double testLoss, double testAccuracy,
                         double examplesPerSecond, double seconds) {}
