package dev.ingot.runtime.data;

import dev.ingot.runtime.tensor.Tensor;

/**
 * Running training/evaluation metrics: the mean loss weighted by batch size, classification
 * accuracy (argmax over the last axis of an output against integer labels) and throughput.
 * Updating allocates nothing, so it can be used inside the step loop.
 */
public final class Metrics {
    private double lossSum;
    private long lossExamples;
    private long correct;
    private long predicted;
    private long examples;
    private long nanos;
    private long timerStart = -1;

    /** Clears everything, including the timer. */
    public void reset() {
        lossSum = 0;
        lossExamples = 0;
        correct = 0;
        predicted = 0;
        examples = 0;
        nanos = 0;
        timerStart = -1;
    }

    /** Adds the mean loss of a batch of {@code n} examples. */
    public void addLoss(double batchMeanLoss, int n) {
        lossSum += batchMeanLoss * n;
        lossExamples += n;
    }

    /** Counts examples for the throughput. */
    public void addExamples(int n) { examples += n; }

    /**
     * Compares {@code argmax} of each row of {@code output} (rows of {@code classes} values) with
     * {@code labels[row]}, for {@code rows} rows: one per example for a classifier, one per
     * position for sequence labels.
     */
    public void addAccuracy(float[] output, int classes, int[] labels, int rows) {
        correct += countCorrect(output, classes, labels, rows);
        predicted += rows;
    }

    /** Number of rows whose argmax equals the label. */
    public static int countCorrect(float[] output, int classes, int[] labels, int rows) {
        int c = 0;
        for (int r = 0; r < rows; r++) {
            if (Tensor.argmax(output, r * classes, classes) == labels[r]) c++;
        }
        return c;
    }

    /** Starts (or resumes) the throughput timer. */
    public void startTimer() { timerStart = System.nanoTime(); }

    /** Stops the throughput timer, adding the elapsed time. */
    public void stopTimer() {
        if (timerStart >= 0) nanos += System.nanoTime() - timerStart;
        timerStart = -1;
    }

    /** Adds time measured elsewhere. */
    public void addNanos(long n) { nanos += n; }

    /** Mean loss per example; NaN before any loss was added. */
    public double loss() { return lossExamples == 0 ? Double.NaN : lossSum / lossExamples; }

    /** Fraction of correct predictions; NaN before any was added. */
    public double accuracy() { return predicted == 0 ? Double.NaN : (double) correct / predicted; }

    public long examples() { return examples; }

    /** Timed seconds (timer stopped), including a running timer. */
    public double seconds() {
        long n = nanos + (timerStart >= 0 ? System.nanoTime() - timerStart : 0);
        return n / 1e9;
    }

    /** Examples per timed second; NaN if nothing was timed. */
    public double examplesPerSecond() {
        double s = seconds();
        return s > 0 ? examples / s : Double.NaN;
    }
}
