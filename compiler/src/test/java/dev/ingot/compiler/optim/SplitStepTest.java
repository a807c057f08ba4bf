package dev.ingot.compiler.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.exec.Parallel;
import dev.ingot.runtime.model.CompiledModel;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The split training step (computeGradients, then applyUpdate) that data-parallel training runs: at one
 * thread it is the training step bit for bit, over several steps (momentum, Adam's moments, the cosine
 * schedule's step counter, clipping, dropout's counter); the mean of the gradients of two half batches,
 * applied, is one step on the whole batch; a model with several training steps splits each.
 */
class SplitStepTest {
    static final String MLP = """
            model Mlp {
              input  x: f32[batch, 12]
              label  y: i32[batch]
              layer  fc1 = dense(12, 16, activation = relu)
              layer  fc2 = dense(16, 5)
              output logits = x |> fc1 |> dropout(0.2) |> fc2
              loss = softmax_cross_entropy(logits, y)
              train { optimizer: sgd(lr = 0.1, momentum = 0.9, weight_decay = 0.001), schedule: cosine(warmup = 2), batch: 8 }
            }
            """;

    static final String CNN = """
            model Cnn {
              input  x: f32[batch, 1, 8, 8]
              label  y: i32[batch]
              layer  c1 = conv2d(1, 4, 3, activation = relu)
              layer  bn = batch_norm(4)
              layer  fc = dense(36, 5)
              output logits = x |> c1 |> bn |> max_pool2d(2) |> flatten |> fc
              loss = softmax_cross_entropy(logits, y)
              train { optimizer: adam(lr = 0.01), clip: 1.0, batch: 8 }
            }
            """;

    @BeforeAll
    static void oneThread() { Parallel.setThreads(1); }

    @AfterAll
    static void allThreads() { Parallel.setThreads(Runtime.getRuntime().availableProcessors()); }

    static Compiler.Result compile(String src) {
        return Compiler.compile(SourceFile.of("split.ingot", null, src, true), Compiler.Options.defaults().withSplitStep(true));
    }

    static void fill(CompiledModel m, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        var in = m.spec().inputs().get(0);
        float[] x = m.inputF32(in.name());
        for (int i = 0; i < n * in.numelPerExample(); i++) x[i] = (float) r.nextGaussian();
        int[] y = m.inputI32("y");
        for (int i = 0; i < n; i++) y[i] = r.nextInt(5);
    }

    static void assertSameTensors(CompiledModel want, CompiledModel got, double tol, String what) {
        for (Map.Entry<String, float[]> e : want.tensors().entrySet()) {
            float[] g = got.tensors().get(e.getKey());
            if (tol == 0) assertArrayEquals(e.getValue(), g, what + ": " + e.getKey());
            else for (int i = 0; i < g.length; i++) assertEquals(e.getValue()[i], g[i], tol * (1 + Math.abs(e.getValue()[i])), what + ": " + e.getKey() + "[" + i + "]");
        }
    }

    void bitIdenticalToTrainStep(String src) {
        Compiler.Result res = compile(src);
        CompiledModel a = res.instantiate(8), b = res.instantiate(8);
        a.initialize(7);
        b.initialize(7);
        if (a.spec().state().stream().anyMatch(t -> t.name().equals("opt.total_steps"))) a.state("opt.total_steps")[0] = b.state("opt.total_steps")[0] = 10;
        for (int step = 0; step < 6; step++) {
            fill(a, 8, step);
            fill(b, 8, step);
            float la = a.trainStep(8);
            float lb = b.computeGradients(8);
            b.applyUpdate();
            assertEquals(la, lb, 0, "loss of step " + step);
            assertSameTensors(a, b, 0, "after step " + step);
        }
    }

    @Test
    void mlpSplitStepIsTheTrainingStepBitForBit() { bitIdenticalToTrainStep(MLP); }

    @Test
    void cnnSplitStepIsTheTrainingStepBitForBit() { bitIdenticalToTrainStep(CNN); }

    @Test
    void meanGradientOfTwoHalfBatchesIsTheFullBatchStep() {
        String src = MLP.replace("|> dropout(0.2) ", "");
        Compiler.Result res = compile(src);
        CompiledModel full = res.instantiate(8), half = res.instantiate(8);
        full.initialize(3);
        half.initialize(3);
        List<String> names = half.gradientNames(0);
        assertEquals(List.of("fc1.w", "fc1.b", "fc2.w", "fc2.b"), names);
        for (int step = 0; step < 3; step++) {
            fill(full, 8, 100 + step);
            float lf = full.computeGradients(8);
            full.applyUpdate();
            // the two halves of the same batch, one after the other in one instance; sum their gradients
            float[][] sum = new float[names.size()][];
            float lh = 0;
            for (int h = 0; h < 2; h++) {
                fill(half, 8, 100 + step);
                if (h == 1) {
                    System.arraycopy(half.inputF32("x"), 4 * 12, half.inputF32("x"), 0, 4 * 12);
                    System.arraycopy(half.inputI32("y"), 4, half.inputI32("y"), 0, 4);
                }
                lh += half.computeGradients(4) / 2;
                for (int i = 0; i < names.size(); i++) {
                    float[] g = half.gradient(names.get(i));
                    if (sum[i] == null) sum[i] = g.clone();
                    else for (int j = 0; j < g.length; j++) sum[i][j] += g[j];
                }
            }
            for (int i = 0; i < names.size(); i++) {
                float[] g = half.gradient(names.get(i));
                for (int j = 0; j < g.length; j++) g[j] = sum[i][j] * 0.5f;
            }
            half.applyUpdate();
            assertEquals(lf, lh, 1e-5, "mean loss of the halves");
            assertSameTensors(full, half, 1e-5, "step " + step);
        }
    }

    @Test
    void severalTrainingStepsSplitEachStep() {
        Compiler.Result res = compile(StepsTest.MODEL);
        CompiledModel a = res.instantiate(4), b = res.instantiate(4);
        a.initialize(5);
        b.initialize(5);
        assertEquals(List.of("d.w", "d.b"), b.gradientNames(0));
        assertEquals(List.of("g.w", "g.b"), b.gradientNames(1));
        for (int round = 0; round < 3; round++) {
            for (CompiledModel m : List.of(a, b)) {
                float[] x = m.inputF32("x");
                for (int i = 0; i < 12; i++) x[i] = (float) Math.sin(i + round);
            }
            a.trainStep(4);
            for (int s = 0; s < 2; s++) {
                b.computeGradients(s, 4);
                b.applyUpdate(s);
            }
            assertSameTensors(a, b, 0, "round " + round);
        }
        assertThrows(IllegalStateException.class, () -> b.computeGradients(4));
        assertThrows(IndexOutOfBoundsException.class, () -> b.applyUpdate(2));
    }

    @Test
    void gradientBuffersAreNotStateAndTrainStepIsUnchanged() {
        CompiledModel m = compile(MLP).instantiate(8);
        assertTrue(m.spec().state().stream().noneMatch(s -> s.name().startsWith("grad.")), m.spec().state().toString());
        assertEquals(m.param("fc1.w").length, m.gradient("fc1.w").length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.gradient("fc3.w"));
        assertTrue(e.getMessage().contains("known: fc1.w"), e.getMessage());
        // the trainStep method is the same code with and without the split step
        String plain = Compiler.compile(SourceFile.of("split.ingot", null, MLP, true), Compiler.Options.defaults()).source().code();
        String split = compile(MLP).source().code();
        assertEquals(method(plain, "public float trainStep(int n)"), method(split, "public float trainStep(int n)"));
        // without the option: a clear error
        CompiledModel p = Compiler.compile(SourceFile.of("split.ingot", null, MLP, true), Compiler.Options.defaults()).instantiate(8);
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, () -> p.computeGradients(8));
        assertTrue(u.getMessage().contains("withSplitStep"), u.getMessage());
        assertFalse(plain.contains("computeGradients"));
    }

    private static String method(String code, String header) {
        int i = code.indexOf(header);
        assertTrue(i >= 0, header);
        return code.substring(i, code.indexOf("\n    }\n", i));
    }
}
