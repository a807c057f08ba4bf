package dev.ingot.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.runtime.train.TrainResult;
import dev.ingot.runtime.train.Trainer;
import org.junit.jupiter.api.Test;

/**
 * End to end on real data: the MNIST MLP example, one epoch on 10,000 training images, evaluated on
 * the full test set. Batches of 32 (Keras' default) give the short run 313 steps; with the example's
 * 128 it would be 79 steps, which its cosine schedule makes too few for a stable 93%.
 */
class TrainMlpTest {
    @Test
    void mnistMlpLearnsFromTenThousandImages() throws Exception {
        TrainResult res = Examples.train("mnist_mlp.ingot", Trainer.Options.defaults().withEpochs(1).withBatchSize(32).withLimitTrain(10_000), 0, "test").result();
        System.out.printf("mnist_mlp, 10,000 images, 1 epoch: test accuracy %.4f, loss %.4f, %.0f examples/s%n",
                res.testAccuracy(), res.testLoss(), res.trainExamplesPerSecond());
        assertTrue(res.testExamples() == 10_000, "evaluated on the full test set");
        assertTrue(res.testAccuracy() >= 0.93, "test accuracy " + res.testAccuracy() + " < 0.93");
    }
}
