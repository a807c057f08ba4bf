package dev.ingot.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.model.CompiledModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The documented thread-safety contract: instances made by {@code sharingParameters} share the
 * weights (no copy) and predict concurrently, one per thread, with the results of a lone instance.
 */
class ConcurrencyTest {
    static final String MODEL = """
        model Mlp {
          input  x: f32[batch, 20]
          layer  h = dense(20, 32, activation = tanh)
          layer  o = dense(32, 5)
          output y = softmax(o(h(x)))
        }
        """;

    @Test
    void instancesSharingParametersPredictConcurrently() throws Exception {
        CompiledModel base = Compiler.compile(SourceFile.of("mlp.ingot", null, MODEL, true), Compiler.Options.defaults().withTraining(false)).instantiate(8);
        base.initialize(7);
        var rnd = new SplittableRandom(3);
        int cases = 64;
        float[][] inputs = new float[cases][8 * 20], expected = new float[cases][];
        for (int c = 0; c < cases; c++) {
            for (int i = 0; i < inputs[c].length; i++) inputs[c][i] = (float) rnd.nextDouble();
            System.arraycopy(inputs[c], 0, base.inputF32("x"), 0, inputs[c].length);
            base.predict(8);
            expected[c] = java.util.Arrays.copyOf(base.output(0), 8 * 5);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                CompiledModel mine = base.sharingParameters(8);
                assertSame(base.param("h.w"), mine.param("h.w"), "parameters are shared, not copied");
                jobs.add(pool.submit(() -> {
                    for (int round = 0; round < 50; round++)
                        for (int c = 0; c < cases; c++) {
                            System.arraycopy(inputs[c], 0, mine.inputF32("x"), 0, inputs[c].length);
                            mine.predict(8);
                            // NOTE: within float rounding, not bit for bit: the JIT's tiers (and a matmul run inline vs split
                            // across the pool) may order a sum differently
                            assertArrayEquals(expected[c], java.util.Arrays.copyOf(mine.output(0), 8 * 5), 1e-6f, "case " + c);
                        }
                    return null;
                }));
            }
            for (Future<?> f : jobs) f.get();
        } finally {
            pool.shutdownNow();
        }
    }
}
