package dev.ingot.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.diag.CompileError;
import dev.ingot.compiler.interp.Interpreter;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.pass.PassContext;
import dev.ingot.compiler.pass.PassManager;
import dev.ingot.compiler.pass.Pipelines;
import dev.ingot.runtime.model.CompiledModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code grad(y, wrt)} in the DSL: against central differences in float64 (interpreter) with
 * respect to an input, a layer's parameters and an intermediate value; the generated float32 code
 * and the {@code inputGradients} entry against the interpreter; and a training step whose loss
 * uses an FGSM example.
 */
class GradTest {
    static final String MODEL = """
            model G {
              input x: f32[batch, 3]
              label y: i32[batch]
              layer fc = dense(3, 4, activation = tanh)
              h = fc(x * x)
              loss = softmax_cross_entropy(h, y) + mean(sum(h * h, axis = 1)) + mean(x)
              gx = grad(loss, x)
              gw = grad(loss, fc)                      // [fc.w, fc.b]
              output dx = gx
              output dh = grad(loss, h)
              output used = x @ gw[0] + gw[1]          // gradients as values in an expression
              output hval = h
              train { optimizer: sgd(lr = 0.5), batch: 2 }
            }
            """;

    static final int BATCH = 2;

    static Map<String, double[]> bindings(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, double[]> b = new HashMap<>();
        b.put("x", rand(r, BATCH * 3));
        b.put("fc.w", rand(r, 12));
        b.put("fc.b", rand(r, 4));
        b.put("y", new double[] {1, 3});
        return b;
    }

    static double[] rand(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble(-1, 1);
        return v;
    }

    /** The loss and the outputs, with grad() expanded (inference pipeline: every output kept). */
    static Graph graph(ModelIr m) {
        List<Graph.Output> outs = new ArrayList<>();
        outs.add(new Graph.Output("loss", m.loss()));
        m.outputs().forEach((k, v) -> outs.add(new Graph.Output(k, v)));
        LinkedHashSet<String> keep = new LinkedHashSet<>();
        outs.forEach(o -> keep.add(o.name()));
        return PassManager.run(Pipelines.inference(keep), new Graph("g", outs, List.of()), PassContext.test());
    }

    static double fd(Graph g, Map<String, double[]> b, String leaf, int i) {
        double h = 1e-6, old = b.get(leaf)[i];
        b.get(leaf)[i] = old + h;
        double plus = Interpreter.run(g, b, BATCH).scalar("loss");
        b.get(leaf)[i] = old - h;
        double minus = Interpreter.run(g, b, BATCH).scalar("loss");
        b.get(leaf)[i] = old;
        return (plus - minus) / (2 * h);
    }

    @Test
    void gradientsMatchCentralDifferences() {
        ModelIr m = Frontend.compile(SourceFile.of("g.ingot", null, MODEL, true));
        Graph g = graph(m);
        Map<String, double[]> b = bindings(3);
        Interpreter.Result r = Interpreter.run(g, b, BATCH);
        double[] dx = r.output("dx");
        for (int i = 0; i < dx.length; i++) assertEquals(fd(g, b, "x", i), dx[i], 1e-7, "d loss / d x[" + i + "]");
        // used = x @ dW + db, with dW and db by central differences
        double[] dw = new double[12], db = new double[4];
        for (int i = 0; i < 12; i++) dw[i] = fd(g, b, "fc.w", i);
        for (int i = 0; i < 4; i++) db[i] = fd(g, b, "fc.b", i);
        double[] x = b.get("x"), used = r.output("used");
        for (int e = 0; e < BATCH; e++)
            for (int j = 0; j < 4; j++) {
                double want = db[j];
                for (int k = 0; k < 3; k++) want += x[e * 3 + k] * dw[k * 4 + j];
                assertEquals(want, used[e * 4 + j], 1e-7, "x @ grad(loss, fc)[0] + grad(loss, fc)[1]");
            }
        // with respect to an intermediate: d/dh [ce(h, y) + mean(sum(h^2))] = (softmax(h) - onehot(y)) / B + 2h / B
        double[] h = r.output("hval"), dh = r.output("dh");
        for (int e = 0; e < BATCH; e++) {
            double max = Double.NEGATIVE_INFINITY, z = 0;
            for (int j = 0; j < 4; j++) max = Math.max(max, h[e * 4 + j]);
            for (int j = 0; j < 4; j++) z += Math.exp(h[e * 4 + j] - max);
            for (int j = 0; j < 4; j++) {
                double p = Math.exp(h[e * 4 + j] - max) / z, label = b.get("y")[e] == j ? 1 : 0;
                assertEquals((p - label) / BATCH + 2 * h[e * 4 + j] / BATCH, dh[e * 4 + j], 1e-9, "d loss / d h");
            }
        }
    }

    @Test
    void generatedCodeAndInputGradientsEntryMatchTheInterpreter() {
        ModelIr ir = Frontend.compile(SourceFile.of("g.ingot", null, MODEL, true));
        Interpreter.Result r = Interpreter.run(graph(ir), bindings(5), BATCH);
        for (boolean vector : new boolean[] {true, false}) {
            CompiledModel m = Compiler.compile(ir, Compiler.Options.defaults().withVector(vector)).instantiate(4);
            Map<String, double[]> b = bindings(5);
            for (String p : List.of("fc.w", "fc.b")) copy(b.get(p), m.param(p));
            copy(b.get("x"), m.inputF32("x"));
            m.inputI32("y")[0] = 1;
            m.inputI32("y")[1] = 3;
            m.predict(BATCH);
            assertClose(r.output("dx"), m.output(0), "dx");
            assertClose(r.output("dh"), m.output(1), "dh");
            assertClose(r.output("used"), m.output(2), "used");
            float loss = m.inputGradients(BATCH);
            assertEquals(r.scalar("loss"), loss, 1e-5, "loss of inputGradients");
            assertClose(r.output("dx"), m.inputGradient("x"), "inputGradient(x)");
            assertThrows(IllegalArgumentException.class, () -> m.inputGradient("nope"));
        }
    }

    /** Adversarial training: the step's loss is on x + eps * sign(grad(loss, x)); sign passes no gradient back. */
    @Test
    void aTrainingStepOnAnAdversarialExampleMatchesTheInterpreter() {
        String src = """
                model Adv {
                  input x: f32[batch, 3]
                  label y: i32[batch]
                  layer fc = dense(3, 4)
                  clean = softmax_cross_entropy(fc(x), y)
                  x_adv = clip(x + 0.3 * sign(grad(clean, x)), -1, 1)
                  output logits = fc(x)
                  loss = softmax_cross_entropy(fc(x_adv), y)
                  train { optimizer: sgd(lr = 1), batch: 2 }
                }
                """;
        Compiler.Result res = Compiler.compile(SourceFile.of("adv.ingot", null, src, true), Compiler.Options.defaults());
        Map<String, double[]> b = bindings(7);
        b.put("fc.w", rand(new SplittableRandom(9), 12));
        Interpreter.Result want = Interpreter.run(res.graph("trainStep"), b, BATCH);
        CompiledModel m = res.instantiate(2);
        for (String p : List.of("fc.w", "fc.b")) copy(b.get(p), m.param(p));
        copy(b.get("x"), m.inputF32("x"));
        m.inputI32("y")[0] = 1;
        m.inputI32("y")[1] = 3;
        float loss = m.trainStep(BATCH);
        assertEquals(want.scalar("loss"), loss, 1e-5);
        assertClose(want.updated().get("fc.w"), m.param("fc.w"), "fc.w after the step");
        assertClose(want.updated().get("fc.b"), m.param("fc.b"), "fc.b after the step");
    }

    @Test
    void misuseIsReportedAtTheCall() {
        String bad = MODEL.replace("gx = grad(loss, x)", "gx = grad(h, x)");
        CompileError e = assertThrows(CompileError.class, () -> Frontend.compile(SourceFile.of("g.ingot", null, bad, true)));
        assertTrue(e.getMessage().contains("grad(): the first argument must be a scalar f32 value"), e.getMessage());
        String bad2 = MODEL.replace("gx = grad(loss, x)", "gx = grad(loss, y)");
        e = assertThrows(CompileError.class, () -> Frontend.compile(SourceFile.of("g.ingot", null, bad2, true)));
        assertTrue(e.getMessage().contains("only with respect to f32 values"), e.getMessage());
    }

    static void copy(double[] from, float[] to) {
        for (int i = 0; i < from.length; i++) to[i] = (float) from[i];
    }

    static void assertClose(double[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-5 * (1 + Math.abs(want[i])), what + "[" + i + "]");
    }
}
