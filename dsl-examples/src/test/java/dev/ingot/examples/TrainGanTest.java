package dev.ingot.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.train.TrainResult;
import dev.ingot.runtime.train.Trainer;
import org.junit.jupiter.api.Test;

/**
 * End to end on real data, a short version of mnist_gan (the DCGAN-style one): STEPS batches of 64,
 * each running the discriminator step and then the generator step. Both losses are reported per
 * step and on the test set. The generated images (in inference mode: the generator's batch norms
 * use their running averages) are compared with real test digits by two statistics: the
 * correlation of their mean image with the real mean image (where the ink is: 0.920 after this
 * run, measured) and their spread, the mean per-pixel standard deviation across 64 samples
 * relative to the real digits' (0.953; a collapsed generator has none). The test asks for a
 * correlation of at least 0.6 and a spread of at least 0.4. Checked to fail: with the generator's
 * gradient cut (a stop_gradient on its images in g_loss) the correlation is 0.279 (spread 1.08,
 * noise); flipped (g_loss negated), 0.148 with a spread of 0.083.
 */
class TrainGanTest {
    static final int STEPS = 200, TEST = 1_000;

    @Test
    void mnistGanGeneratesDigitLikeImages() throws Exception {
        String example = "mnist_gan.ingot";
        Examples.Run run = Examples.train(example, Trainer.Options.defaults().withSteps(STEPS).withLimitTest(TEST), 0, "test");
        TrainResult res = run.result();
        for (String k : new String[] {"train_discriminator_loss", "train_generator_loss", "d_loss", "g_loss"})
            assertTrue(Double.isFinite(res.extra().get(k)), k + " " + res.extra());
        double[] stats = compare(run.model(), run.test().limit(TEST));
        System.out.printf("%s, %d steps: d_loss %.4f, g_loss %.4f (train: %.4f, %.4f); generated vs real: mean-image correlation %.3f, spread %.3f, %.1f s%n",
                example, STEPS, res.extra().get("d_loss"), res.extra().get("g_loss"), res.extra().get("train_discriminator_loss"),
                res.extra().get("train_generator_loss"), stats[0], stats[1], res.seconds());
        assertEquals(res.testLoss(), res.extra().get("d_loss"), 1e-6, "evaluate's loss is the first step's");
        assertTrue(stats[0] >= 0.6, "mean-image correlation " + stats[0]);
        assertTrue(stats[1] >= 0.4, "spread " + stats[1]);
    }

    /** {correlation of the generated and real mean images, generated per-pixel std / real per-pixel std}. */
    static double[] compare(CompiledModel m, Dataset test) {
        float[] real = test.field("image").f32();
        int per = 784, nReal = test.size();
        double[] rm = new double[per], rs = new double[per], gm = new double[per], gs = new double[per];
        for (int i = 0; i < nReal * per; i++) { rm[i % per] += real[i]; rs[i % per] += real[i] * (double) real[i]; }
        int nGen = m.maxBatch();
        m.predict(nGen);              // the generator ignores the input: one random latent per example
        float[] g = m.output(0);
        for (int i = 0; i < nGen * per; i++) { gm[i % per] += g[i]; gs[i % per] += g[i] * (double) g[i]; }
        double realSpread = 0, genSpread = 0;
        for (int j = 0; j < per; j++) {
            rm[j] /= nReal;
            gm[j] /= nGen;
            realSpread += Math.sqrt(Math.max(0, rs[j] / nReal - rm[j] * rm[j]));
            genSpread += Math.sqrt(Math.max(0, gs[j] / nGen - gm[j] * gm[j]));
        }
        return new double[] {correlation(rm, gm), genSpread / realSpread};
    }

    static double correlation(double[] a, double[] b) {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.length; i++) { ma += a[i]; mb += b[i]; }
        ma /= a.length;
        mb /= b.length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }
}
