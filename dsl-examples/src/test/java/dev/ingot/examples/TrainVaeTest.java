package dev.ingot.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.train.TrainResult;
import dev.ingot.runtime.train.Trainer;
import org.junit.jupiter.api.Test;

/**
 * End to end on real data, a short version of mnist_vae: 300 steps of 128 images, evaluated on the
 * first 2,000 test images. The reference point is the best input-independent model, the mean
 * training image as pixel probabilities: its binary cross-entropy on these images is about 206
 * nats per image. A working VAE reconstructs with about 125 (61% of it) while its code carries
 * about 18 nats (the KL term). The test asks for a reconstruction at most 72% of the mean image's,
 * a negative ELBO (reconstruction + KL) at most 80% of it and a KL above 5. Checked to fail: with
 * the gradient through z cut (decode(stop_gradient(z))) the code carries nothing (KL 0.00) and the
 * reconstruction is 201; flipped (2 * stop_gradient(z) - z), 226.
 */
class TrainVaeTest {
    static final int STEPS = 300, TEST = 2_000;

    @Test
    void mnistVaeLearnsACodeAndReconstructs() throws Exception {
        String example = "mnist_vae.ingot";
        Examples.Run run = Examples.train(example, Trainer.Options.defaults().withSteps(STEPS).withLimitTest(TEST), 0, "test");
        TrainResult res = run.result();
        double recon = res.extra().get("reconstruction"), kl = res.extra().get("kl");
        double trivial = meanImageBce(run.train(), run.test().limit(TEST));
        System.out.printf("%s, %d steps: test -ELBO %.2f = reconstruction %.2f + KL %.2f nats per image; the mean image's reconstruction %.2f, %.1f s%n",
                example, STEPS, res.testLoss(), recon, kl, trivial, res.seconds());
        assertTrue(recon <= 0.72 * trivial, "reconstruction " + recon + " vs the mean image's " + trivial);
        assertTrue(res.testLoss() <= 0.80 * trivial, "-ELBO " + res.testLoss() + " vs the mean image's " + trivial);
        assertTrue(kl > 5, "KL " + kl + ": the code carries little");
    }

    /** Binary cross-entropy per image on {@code test} of the per-pixel mean of {@code train}'s images as probabilities. */
    static double meanImageBce(Dataset train, Dataset test) {
        float[] x = train.field("image").f32(), y = test.field("image").f32();
        int per = x.length / train.size();
        double[] p = new double[per];
        for (int i = 0; i < x.length; i++) p[i % per] += x[i];
        for (int j = 0; j < per; j++) p[j] = Math.min(1 - 1e-6, Math.max(1e-6, p[j] / train.size()));
        double sum = 0;
        for (int i = 0; i < y.length; i++) sum -= y[i] * Math.log(p[i % per]) + (1 - y[i]) * Math.log(1 - p[i % per]);
        return sum / test.size();
    }
}
