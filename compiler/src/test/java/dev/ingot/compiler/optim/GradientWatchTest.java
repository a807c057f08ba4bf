package dev.ingot.compiler.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.train.DivergedException;
import dev.ingot.runtime.train.TrainResult;
import dev.ingot.runtime.train.Trainer;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: the training step computes the global norm of its gradients, and the trainer stops a
 * run whose gradient norm is NaN or infinite while its loss is still finite (sqrt at 0 here).
 */
class GradientWatchTest {
    // loss (sqrt(x s) - 1)^2: d/ds = (sqrt(x s) - 1) sqrt(x / s), finite for x > 0, 0 * inf = NaN at x = 0 (the loss is 1 there)
    static final String MODEL = """
        model Root {
          input  x: f32[batch, 1]
          param  s: [1] = ones
          r = sqrt(x * s)
          output out = r
          loss = mean((r - 1) * (r - 1))
          train { optimizer: sgd(lr = 0.001), batch: 1, epochs: 1 }
        }
        """;

    static final float[] XS = {1, 2, 3, 0, 4, 5};

    static CompiledModel model(String text) {
        CompiledModel m = Compiler.compile(SourceFile.of("root.ingot", null, text, true), Compiler.Options.defaults()).instantiate(1);
        m.initialize(1);
        return m;
    }

    static Dataset data() { return Dataset.of(Dataset.Field.f32("x", new int[] {1}, XS.clone())); }

    static Trainer trainer(CompiledModel m) {
        return new Trainer(m).options(Trainer.Options.defaults().withEpochs(1).withBatchSize(1).withShuffle(false));
    }

    @Test void theStepComputesTheGradientNorm() {
        CompiledModel m = model(MODEL);
        assertEquals(-1f, m.gradNorm(), "none before the first step");
        m.inputF32("x")[0] = 2;
        m.trainStep(1);
        assertEquals((Math.sqrt(2) - 1) * Math.sqrt(2), m.gradNorm(), 1e-6);
        // with clipping, the norm before clipping
        CompiledModel c = model(MODEL.replace("batch: 1,", "clip: 0.1, batch: 1,"));
        c.inputF32("x")[0] = 9;
        float before = c.param("s")[0];
        c.trainStep(1);
        assertEquals(6, c.gradNorm(), 1e-5);   // (3 - 1) * 3
        assertEquals(before - 0.001 * 0.1, c.param("s")[0], 1e-6, "the update used the clipped gradient");
    }

    @Test void aNonFiniteGradientWithAFiniteLossStopsTheRunAtItsStep() {
        CompiledModel m = model(MODEL);
        DivergedException e = assertThrows(DivergedException.class, () -> trainer(m).fit(data(), null));
        assertEquals(4, e.step(), e.getMessage());
        assertEquals(1f, e.loss(), "the loss was finite");
        assertTrue(e.getMessage().startsWith("training diverged at step 4 (epoch 1): the gradient norm is NaN while the loss is 1.0. Likely causes: "
                + "an operation whose gradient is infinite at the values the model reaches (sqrt or log at 0"), e.getMessage());
        assertTrue(e.getMessage().contains("--allow-non-finite keeps training anyway"), e.getMessage());

        CompiledModel going = model(MODEL);
        TrainResult r = trainer(going).stopOnNonFinite(false).fit(data(), null);
        assertEquals(XS.length, r.steps(), "kept going");
        assertFalse(Float.isFinite(going.param("s")[0]), "with the NaN gradient applied");

        CompiledModel fine = model(MODEL);
        Dataset positive = Dataset.of(Dataset.Field.f32("x", new int[] {1}, new float[] {1, 2, 3, 0.5f, 4, 5}));
        assertEquals(6, trainer(fine).fit(positive, null).steps(), "no false alarm");
    }
}
