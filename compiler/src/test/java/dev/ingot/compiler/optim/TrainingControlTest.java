package dev.ingot.compiler.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.io.Checkpoint;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.TrainConfig;
import dev.ingot.runtime.train.EpochStats;
import dev.ingot.runtime.train.TrainResult;
import dev.ingot.runtime.train.Trainer;
import dev.ingot.runtime.train.TrainingControl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Early stopping, best and periodic checkpoints and the plateau schedule, on a compiled model: the
 * train block's settings reach the trainer, the learning-rate scale is model state that the step
 * reads, and a run stops when the held-out metric stops improving.
 */
class TrainingControlTest {
    @TempDir Path dir;

    static final String MODEL = """
        model Tiny {
          input  x: f32[batch, 2]
          label  y: i32[batch]
          layer  fc = dense(2, 2)
          output logits = fc(x)
          loss = softmax_cross_entropy(logits, y)
          train { optimizer: sgd(lr = 0.5), schedule: plateau(factor = 0.5, patience = 1), early_stopping: 3, batch: 4, epochs: 20 }
        }
        """;

    static CompiledModel model() {
        CompiledModel m = Compiler.compile(SourceFile.of("tiny.ingot", null, MODEL, true), Compiler.Options.defaults()).instantiate(4);
        m.initialize(1);
        return m;
    }

    @Test
    void theLearningRateScaleIsStateTheStepReads() {
        CompiledModel m = model();
        TrainConfig tc = m.spec().train();
        assertEquals("plateau(factor=0.5, patience=1)", tc.schedule());
        assertEquals(3.0, tc.hyper().get(TrainConfig.EARLY_STOPPING));
        assertEquals(1f, m.state(TrainConfig.LR_SCALE)[0], "starts at 1");
        float[] x = m.inputF32("x");
        System.arraycopy(new float[] {1, 0, 0, 1, 1, 1, -1, 0}, 0, x, 0, 8);
        System.arraycopy(new int[] {0, 1, 1, 0}, 0, m.inputI32("y"), 0, 4);
        m.state(TrainConfig.LR_SCALE)[0] = 0;
        float[] before = m.param("fc.w").clone();
        m.trainStep(4);
        assertArrayEquals(before, m.param("fc.w"), "a scale of 0: no update");
        m.state(TrainConfig.LR_SCALE)[0] = 1;
        m.trainStep(4);
        assertFalse(java.util.Arrays.equals(before, m.param("fc.w")), "a scale of 1: the update");
    }

    @Test
    void stopsReducesAndSaves() throws Exception {
        CompiledModel m = model();
        // labels that no function of x predicts: the test loss soon stops improving
        float[] x = new float[64 * 2];
        int[] y = new int[64];
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < 64; i++) { x[2 * i] = (float) r.nextGaussian(); x[2 * i + 1] = (float) r.nextGaussian(); y[i] = r.nextInt(2); }
        Dataset train = Dataset.of(Dataset.Field.f32("x", new int[] {2}, x), Dataset.Field.i32("y", new int[] {}, y));
        Dataset test = train.subset(0, 32).with(Dataset.Field.i32("y", new int[] {}, java.util.Arrays.copyOf(new int[] {1, 0, 0, 1}, 32)));
        Path best = dir.resolve("best.safetensors"), every = dir.resolve("every.safetensors");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        TrainingControl control = new TrainingControl(m, new java.io.PrintStream(out, true)).saveBest(best).saveEvery(2, every)
                .metadata(Map.of("source", "tiny.ingot"));
        TrainResult res = new Trainer(m).options(Trainer.Options.defaults().withSeed(1)).monitor(control).fit(train, test);
        String log = out.toString();
        assertNotNull(control.stopReason(), log);
        assertTrue(res.epochs() < 20, "stopped early: " + res.epochs() + " epochs\n" + log);
        assertTrue(control.stopReason().startsWith("early stopping at epoch " + res.epochs() + ": no improvement for 3 evaluations"), control.stopReason());
        // patience 1: the rate is halved after every evaluation that does not improve on the best
        double bestSoFar = Double.NaN, scale = 1, scaleAtBest = 1;
        for (EpochStats s : res.history()) {
            if (Double.isNaN(bestSoFar) || s.testAccuracy() > bestSoFar) {
                bestSoFar = s.testAccuracy();
                scaleAtBest = scale;
            } else scale *= 0.5;
        }
        assertTrue(scale <= 0.125, "at least the last three evaluations did not improve");
        assertEquals(scale, control.lrScale(), 1e-7, log);
        assertTrue(log.contains("learning rate x 0.5"), log);
        assertTrue(Files.exists(best) && Files.exists(every), log);
        // the best checkpoint holds the best epoch's weights: evaluating them gives the best accuracy
        CompiledModel again = model();
        Checkpoint.load(best, again);
        double bestAccuracy = Trainer.evaluate(again, test, dev.ingot.runtime.data.Binding.auto()).accuracy();
        assertEquals(control.bestScore(), bestAccuracy, 1e-9);
        double bestSeen = res.history().stream().mapToDouble(EpochStats::testAccuracy).max().orElseThrow();
        assertEquals(bestSeen, bestAccuracy, 1e-9);
        assertEquals(scaleAtBest, again.state(TrainConfig.LR_SCALE)[0], 1e-7, "the scale is in the checkpoint");
    }

    /** The learning rate of each step, read off an SGD update of a parameter whose gradient is 1. */
    @Test
    void plateauWithWarmupAppliesTheWarmupOnce() {
        String text = """
            model Lr {
              input  x: f32[batch, 1]
              param  p: [1] = zeros
              output y = x * p
              loss = mean(x * p)
              train { optimizer: sgd(lr = 2), schedule: plateau(warmup = 4, factor = 0.5, patience = 1), batch: 1, epochs: 1 }
            }
            """;
        CompiledModel m = Compiler.compile(SourceFile.of("lr.ingot", null, text, true), Compiler.Options.defaults()).instantiate(1);
        m.initialize(1);
        assertEquals("plateau(warmup=4, factor=0.5, patience=1)", m.spec().train().schedule());
        m.inputF32("x")[0] = 1;
        // warm-up: lr * min(1, step / 4) for steps 1, 2, ...; then lr; the plateau scale multiplies both
        double[] expected = {0.5, 1.0, 1.5, 2.0, 2.0, 2.0, 1.0, 1.0};
        for (int step = 0; step < expected.length; step++) {
            if (step == 6) m.state(TrainConfig.LR_SCALE)[0] = 0.5f;   // what TrainingControl does on a plateau
            float before = m.param("p")[0];
            m.trainStep(1);
            assertEquals(expected[step], before - m.param("p")[0], 1e-6, "learning rate of step " + (step + 1));
        }
        // a plateau during the warm-up: the scale and the warm-up multiply once each
        CompiledModel w = Compiler.compile(SourceFile.of("lr.ingot", null, text, true), Compiler.Options.defaults()).instantiate(1);
        w.initialize(1);
        w.inputF32("x")[0] = 1;
        w.state(TrainConfig.LR_SCALE)[0] = 0.5f;
        double[] halved = {0.25, 0.5, 0.75, 1.0, 1.0};
        for (int step = 0; step < halved.length; step++) {
            float before = w.param("p")[0];
            w.trainStep(1);
            assertEquals(halved[step], before - w.param("p")[0], 1e-6, "learning rate of step " + (step + 1) + " at scale 0.5");
        }
    }

    /** A plateau schedule of one of several training steps reaches the trainer: one shared scale, the step's factor and patience. */
    @Test
    void aStepsPlateauScaleIsTheSharedOne() {
        String text = """
            model Two {
              input  x: f32[batch, 1]
              param  p: [1] = zeros
              param  q: [1] = zeros
              a = mean(x * p)
              c = mean(x * q)
              output y = x * p
              train {
                batch: 1, epochs: 1
                step first  { loss: a, optimizer: sgd(lr = 1), schedule: plateau(factor = 0.25, patience = 3), params: [p] }
                step second { loss: c, optimizer: sgd(lr = 1), params: [q] }
              }
            }
            """;
        CompiledModel m = Compiler.compile(SourceFile.of("two.ingot", null, text, true), Compiler.Options.defaults()).instantiate(1);
        m.initialize(1);
        assertEquals(0.25, m.spec().train().hyper().get(TrainConfig.PLATEAU_FACTOR));
        assertEquals(3.0, m.spec().train().hyper().get(TrainConfig.PLATEAU_PATIENCE));
        m.inputF32("x")[0] = 1;
        m.state(TrainConfig.LR_SCALE)[0] = 0.25f;   // what TrainingControl does on a plateau
        m.trainStep(1);
        assertEquals(-0.25f, m.param("p")[0], 1e-7, "the first step reads the scale");
        assertEquals(-1f, m.param("q")[0], 1e-7, "the second has a constant rate");
    }
}
