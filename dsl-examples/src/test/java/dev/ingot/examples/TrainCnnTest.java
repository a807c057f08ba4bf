package dev.ingot.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.runtime.train.TrainResult;
import dev.ingot.runtime.train.Trainer;
import org.junit.jupiter.api.Test;

/**
 * End to end on real data, short versions of the convolutional examples' trainings: one epoch on
 * the first 4,000 training images in batches of 32 (125 steps), evaluated on the first 2,000 test
 * images.
 *
 * <p>What the thresholds catch, measured with variants of the examples: with the convolutional
 * part's gradient negated (features trained the wrong way) MNIST ends at 0.10 and Fashion-MNIST
 * at 0.70; with it cut off (convolutions frozen at their random initialization, only the dense
 * layers learning) MNIST ends at 0.886, below its threshold, but Fashion-MNIST at 0.796, as good
 * as the working model in so few steps (0.836 against 0.841 after 250), so its test cannot tell.
 */
class TrainCnnTest {
    static final int TRAIN = 4_000, TEST = 2_000, BATCH = 32;

    static TrainResult trainShort(String example) throws Exception {
        TrainResult res = Examples.train(example, Trainer.Options.defaults().withEpochs(1).withBatchSize(BATCH).withLimitTrain(TRAIN).withLimitTest(TEST), 0, "test").result();
        System.out.printf("%s, %,d images, 1 epoch (%d steps): test accuracy %.4f, loss %.4f on %,d test images, %.0f examples/s, %.1f s%n",
                example, TRAIN, res.steps(), res.testAccuracy(), res.testLoss(), res.testExamples(), res.trainExamplesPerSecond(), res.seconds());
        assertEquals(TEST, res.testExamples());
        return res;
    }

    /** Two valid convolutions, max pooling, dropout: 0.930 after 125 steps (seeds 2 and 3: 0.925, 0.933). */
    @Test
    void mnistCnnLearnsFromFourThousandImages() throws Exception {
        TrainResult res = trainShort("mnist_cnn.ingot");
        assertTrue(res.testAccuracy() >= 0.91, "mnist_cnn test accuracy " + res.testAccuracy() + " < 0.91");
    }

    /** Same-padded convolutions with batch norm on Fashion-MNIST (harder): 0.804 after 125 steps (seed 2: 0.810). */
    @Test
    void fashionCnnLearnsFromFourThousandImages() throws Exception {
        TrainResult res = trainShort("fashion_cnn.ingot");
        assertTrue(res.testAccuracy() >= 0.77, "fashion_cnn test accuracy " + res.testAccuracy() + " < 0.77");
    }
}
