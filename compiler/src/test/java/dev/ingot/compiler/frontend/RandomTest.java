package dev.ingot.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.diag.CompileError;
import dev.ingot.compiler.interp.Interpreter;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.pass.ExpandGradients;
import dev.ingot.compiler.pass.PassContext;
import dev.ingot.runtime.exec.Parallel;
import dev.ingot.runtime.model.CompiledModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** random_normal, random_uniform and bernoulli: distribution, reproducibility, RNG state, threads, reparameterisation. */
class RandomTest {
    static final String MODEL = """
            model R {
              input x: f32[batch, 4]
              param w: [4] = ones
              output n = random_normal([batch, 2000], mean = 1, std = 2)
              output u = random_uniform([batch, 2000], -1, 3)
              output b = bernoulli(0.3, [batch, 2000])
              loss = mean(square(x * w - random_normal([batch, 4])))
              train { optimizer: sgd(lr = 0.1), batch: 4 }
            }
            """;

    static CompiledModel model(long seed) {
        CompiledModel m = Compiler.compile(SourceFile.of("r.ingot", null, MODEL, true), Compiler.Options.defaults()).instantiate(4);
        m.initialize(seed);
        return m;
    }

    static double[] moments(float[] v, int n) {
        double s = 0, s2 = 0;
        for (int i = 0; i < n; i++) { s += v[i]; s2 += v[i] * (double) v[i]; }
        double mean = s / n;
        return new double[] {mean, Math.sqrt(s2 / n - mean * mean)};
    }

    @Test
    void distributionsHaveTheirMomentsAndRanges() {
        CompiledModel m = model(1);
        m.predict(4);
        int n = 8000;
        double[] nm = moments(m.output(0), n), um = moments(m.output(1), n), bm = moments(m.output(2), n);
        assertEquals(1, nm[0], 0.1, "normal mean");
        assertEquals(2, nm[1], 0.1, "normal std");
        assertEquals(1, um[0], 0.06, "uniform mean");
        assertEquals(4 / Math.sqrt(12), um[1], 0.05, "uniform std");
        assertEquals(0.3, bm[0], 0.02, "bernoulli p");
        for (int i = 0; i < n; i++) {
            assertTrue(m.output(1)[i] >= -1 && m.output(1)[i] < 3);
            assertTrue(m.output(2)[i] == 0 || m.output(2)[i] == 1);
        }
        // the batch dimension: every example draws its own numbers
        assertFalse(Arrays.equals(Arrays.copyOfRange(m.output(0), 0, 2000), Arrays.copyOfRange(m.output(0), 2000, 4000)));
    }

    @Test
    void reproducibleFromTheSeedNewEveryStepAndIndependentOfThreads(@TempDir Path dir) throws Exception {
        int threads = Parallel.get().threads();
        try {
            Parallel.setThreads(1);
            CompiledModel a = model(7);
            a.predict(4);
            float[] first = a.output(0).clone();
            Parallel.setThreads(2);
            CompiledModel b = model(7);
            b.predict(4);
            assertArrayEquals(first, b.output(0), "same seed, 1 and 2 threads");
            CompiledModel c = model(8);
            c.predict(4);
            assertFalse(Arrays.equals(first, c.output(0)), "another seed");
            // a training step moves the generator on; a checkpoint carries its state
            a.trainStep(4);
            a.predict(4);
            float[] after = a.output(0).clone();
            assertFalse(Arrays.equals(first, after), "new numbers after a step");
            Path ckpt = dir.resolve("r.safetensors");
            a.save(ckpt);
            assertTrue(Files.size(ckpt) > 0);
            CompiledModel d = model(99);
            d.load(ckpt);
            d.predict(4);
            assertArrayEquals(after, d.output(0), "the RNG state comes back from a checkpoint");
        } finally {
            Parallel.setThreads(threads);
        }
    }

    /** z = mu + exp(0.5 logvar) * eps: gradients reach mu and logvar (central differences, float64), the noise is a constant. */
    @Test
    void gradientsFlowThroughTheReparameterisation() {
        String src = """
                model Vae {
                  input x: f32[batch, 3]
                  param mu: [3] = zeros
                  param logvar: [3] = zeros
                  z = mu + exp(0.5 * logvar) * random_normal([batch, 3])
                  output out = z
                  loss = mean(sum(square(z - x), axis = 1))
                }
                """;
        ModelIr ir = Frontend.compile(SourceFile.of("vae.ingot", null, src, true));
        GraphBuilder gb = new GraphBuilder();
        Node mu = ir.params().get(0), lv = ir.params().get(1);
        Graph g = new Graph("g", List.of(new Graph.Output("loss", ir.loss()), new Graph.Output("dmu", gb.node(Ops.GRAD, ir.loss(), mu)),
                new Graph.Output("dlv", gb.node(Ops.GRAD, ir.loss(), lv))), List.of());
        g = new ExpandGradients().run(g, PassContext.test());
        Map<String, double[]> b = new HashMap<>();
        b.put("x", new double[] {0.3, -0.2, 1.1, 0.5, 0.9, -1.4});
        b.put("mu", new double[] {0.1, -0.4, 0.7});
        b.put("logvar", new double[] {-0.3, 0.2, 0.5});
        b.put("rng.seed", new double[] {12345});
        Interpreter.Result r = Interpreter.run(g, b, 2);
        for (String p : List.of("mu", "logvar")) {
            double[] d = r.output(p.equals("mu") ? "dmu" : "dlv");
            for (int i = 0; i < 3; i++) {
                double h = 1e-6, old = b.get(p)[i];
                b.get(p)[i] = old + h;
                double plus = Interpreter.run(g, b, 2).scalar("loss");
                b.get(p)[i] = old - h;
                double minus = Interpreter.run(g, b, 2).scalar("loss");
                b.get(p)[i] = old;
                assertEquals((plus - minus) / (2 * h), d[i], 1e-7, "d loss / d " + p + "[" + i + "]");
                assertTrue(Math.abs(d[i]) > 1e-3, "a real gradient");
            }
        }
    }

    @Test
    void badShapesAreUserErrors() {
        CompileError e = assertThrows(CompileError.class, () -> Compiler.compile(SourceFile.of("r.ingot", null,
                MODEL.replace("random_normal([batch, 2000], mean = 1, std = 2)", "random_normal([batch, -1])"), true), Compiler.Options.defaults()));
        assertTrue(e.getMessage().contains("random_normal: the shape cannot have a -1 dimension"), e.getMessage());
        e = assertThrows(CompileError.class, () -> Compiler.compile(SourceFile.of("r.ingot", null,
                MODEL.replace("bernoulli(0.3, [batch, 2000])", "bernoulli(x, [batch, 2000])"), true), Compiler.Options.defaults()));
        assertTrue(e.getMessage().contains("bernoulli") && e.getMessage().contains("broadcast"), e.getMessage());
    }
}
