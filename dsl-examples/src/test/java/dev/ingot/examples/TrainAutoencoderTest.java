package dev.ingot.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.train.TrainResult;
import dev.ingot.runtime.train.Trainer;
import org.junit.jupiter.api.Test;

/**
 * End to end on real data, a short version of the MNIST autoencoder's training: 400 steps of 64
 * images, evaluated on the first 2,000 test images. Its test MSE (the example's {@code metric: mse},
 * per pixel) is compared with the best input-independent guess, the mean training image (0.064 on
 * these test images): a working autoencoder is about 0.017, 27% of it, and the test asks for at
 * most 35%; one that reproduced only the average digit, or whose code carried little of the
 * input, would not get there: with the encoder's gradient cut off (a {@code stop_gradient} on the
 * code) it ends at 0.040, 62% of it.
 */
class TrainAutoencoderTest {
    static final int STEPS = 400, BATCH = 64, TEST = 2_000;

    @Test
    void mnistAutoencoderReconstructsDigits() throws Exception {
        String example = "mnist_autoencoder.ingot";
        Examples.Run run = Examples.train(example, Trainer.Options.defaults().withSteps(STEPS).withBatchSize(BATCH).withLimitTest(TEST), 0, "test");
        TrainResult res = run.result();
        double meanImageMse = meanImageMse(run.train(), run.test().limit(TEST));
        System.out.printf("%s, %d steps of %d: test MSE %.5f on %,d images; the mean training image's %.5f (ratio %.3f), %.0f examples/s, %.1f s%n",
                example, STEPS, BATCH, res.testLoss(), res.testExamples(), meanImageMse, res.testLoss() / meanImageMse,
                res.trainExamplesPerSecond(), res.seconds());
        assertEquals(TEST, res.testExamples());
        assertTrue(res.testLoss() <= 0.35 * meanImageMse,
                "mnist_autoencoder test MSE " + res.testLoss() + " > 0.35 x the mean image's " + meanImageMse);
    }

    /** The per-pixel MSE on {@code test} of always predicting the per-pixel mean of {@code train}'s images. */
    static double meanImageMse(Dataset train, Dataset test) {
        float[] x = train.field("image").f32(), y = test.field("image").f32();
        int per = x.length / train.size();
        double[] mean = new double[per];
        for (int i = 0; i < x.length; i++) mean[i % per] += x[i];
        for (int j = 0; j < per; j++) mean[j] /= train.size();
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            double d = y[i] - mean[i % per];
            sum += d * d;
        }
        return sum / y.length;
    }
}
