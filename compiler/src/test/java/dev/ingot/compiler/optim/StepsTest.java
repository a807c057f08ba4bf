package dev.ingot.compiler.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.diag.CompileError;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.compiler.interp.Interpreter;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.TensorSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Several training steps (a GAN's shape): each updates its own parameters with its own optimizer; reports in evaluate. */
class StepsTest {
    static final String MODEL = """
            model TwoSteps {
              input x: f32[batch, 3]
              layer g = dense(2, 3)
              layer d = dense(3, 1)
              fake = g(random_normal([batch, 2]))
              d_loss = mean(square(d(x) - 1)) + mean(square(d(fake)))
              g_loss = mean(square(d(fake) - 1))
              output score = d(x)
              train {
                batch: 4
                report: [d_loss, g_loss]
                step disc { loss: d_loss, optimizer: adam(lr = 0.01), params: d }
                step gen { loss: g_loss, optimizer: sgd(lr = 0.1, momentum = 0.9), params: "g." }
              }
            }
            """;

    static Compiler.Result compile(String src) { return Compiler.compile(SourceFile.of("steps.ingot", null, src, true), Compiler.Options.defaults()); }

    static Map<String, double[]> snapshot(CompiledModel m) {
        Map<String, double[]> r = new HashMap<>();
        for (var e : m.tensors().entrySet()) {
            double[] v = new double[e.getValue().length];
            for (int i = 0; i < v.length; i++) v[i] = e.getValue()[i];
            r.put(e.getKey(), v);
        }
        return r;
    }

    @Test
    void eachStepUpdatesItsOwnParametersAsTheInterpreterSays() {
        Compiler.Result res = compile(MODEL);
        CompiledModel m = res.instantiate(4);
        m.initialize(3);
        assertEquals(List.of("disc", "gen"), m.spec().train().steps());
        assertEquals(List.of("d_loss", "g_loss"), m.spec().train().reports());
        float[] x = m.inputF32("x");
        for (int i = 0; i < 12; i++) x[i] = (float) Math.sin(i);
        for (int step = 0; step < 2; step++) {
            String method = step == 0 ? "trainStep_disc" : "trainStep_gen";
            Map<String, double[]> before = snapshot(m);
            Map<String, double[]> bind = new HashMap<>(before);
            double[] xs = new double[12];
            for (int i = 0; i < 12; i++) xs[i] = x[i];
            bind.put("x", xs);
            Interpreter.Result want = Interpreter.run(res.graph(method), bind, 4);
            float loss = m.trainStep(step, 4);
            assertEquals(want.scalar("loss"), loss, 1e-5, method + " loss");
            for (String p : List.of("d.w", "d.b", "g.w", "g.b")) {
                boolean mine = p.startsWith(step == 0 ? "d." : "g.");
                double[] after = new double[m.param(p).length];
                for (int i = 0; i < after.length; i++) after[i] = m.param(p)[i];
                if (mine) {
                    assertFalse(java.util.Arrays.equals(before.get(p), after), method + " updates " + p);
                    assertArrayEquals(want.updated().get(p), after, 1e-5, method + ": " + p);
                } else {
                    assertArrayEquals(before.get(p), after, 0, method + " leaves " + p + " alone");
                }
            }
        }
        // each step counts its own updates; the optimizer state is named after the step
        List<String> state = m.spec().state().stream().map(TensorSpec::name).toList();
        assertTrue(state.contains("opt.disc.beta1_power"), state.toString());
        assertTrue(state.contains("opt.d.w.m") && state.contains("opt.g.w.momentum"), state.toString());
        assertFalse(state.contains("opt.g.w.m"), state.toString());
        // evaluate reports the values of report: [...]; its loss is the first step's
        float l = m.evaluate(4);
        Map<String, double[]> bind = snapshot(m);
        double[] xs = new double[12];
        for (int i = 0; i < 12; i++) xs[i] = x[i];
        bind.put("x", xs);
        Interpreter.Result ev = Interpreter.run(res.graph("evaluate"), bind, 4);
        assertEquals(ev.scalar("loss"), l, 1e-5);
        assertEquals(ev.scalar("report:d_loss"), m.report(0), 1e-5);
        assertEquals(ev.scalar("report:g_loss"), m.report(1), 1e-5);
        assertEquals(l, m.report(0), 1e-6);
        // trainStep(n) runs both, in order
        Map<String, double[]> before = snapshot(m);
        m.trainStep(4);
        assertFalse(java.util.Arrays.equals(before.get("d.w"), snapshot(m).get("d.w")));
        assertFalse(java.util.Arrays.equals(before.get("g.w"), snapshot(m).get("g.w")));
    }

    @Test
    void mistakesAreReportedAtTheStep() {
        assertError(MODEL.replace("params: \"g.\"", "params: [g, d]"), "step gen and step disc both update d.w");
        assertError(MODEL.replace("step gen { loss: g_loss,", "step gen {"), "step gen needs a loss");
        assertError(MODEL.replace("step gen { loss: g_loss,", "step gen { los: g_loss,"), "unknown step setting 'los'");
        assertError(MODEL.replace("step gen {", "stp gen {"), "unknown block 'stp'");
        assertError(MODEL.replace("params: \"g.\"", "params: \"q.\""), "no parameter is named q....");
        assertError(MODEL.replace("report: [d_loss, g_loss]", "report: [fake]"), "report: fake must be a scalar f32 tensor");
    }

    static void assertError(String src, String want) {
        CompileError e = assertThrows(CompileError.class, () -> compile(src));
        assertTrue(e.getMessage().contains(want), e.getMessage());
    }
}
