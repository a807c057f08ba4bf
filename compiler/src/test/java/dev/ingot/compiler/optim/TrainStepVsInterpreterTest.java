package dev.ingot.compiler.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.compiler.interp.Interpreter;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.TensorSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * N compiled training steps against the same steps run by the float64 interpreter on the
 * training-step graph (forward, loss, gradients and the optimizer update as IR): losses and every
 * parameter and optimizer state must agree, for each optimizer and a schedule.
 */
class TrainStepVsInterpreterTest {
    static String model(String optimizer) {
        return """
            model Small {
              input  x: f32[batch, 12]
              label  y: i32[batch]
              layer  h1 = dense(12, 16, activation = tanh)
              layer  h2 = dense(16, 8, activation = relu)
              layer  out = dense(8, 3)
              output logits = out(h2(h1(x)))
              loss = softmax_cross_entropy(logits, y) + 0.01 * mean(h1.w * h1.w)
              train { optimizer: %s, batch: 8 }
            }
            """.formatted(optimizer);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd(lr = 0.1)", "sgd(lr = 0.1, momentum = 0.9, nesterov = true, weight_decay = 0.01)",
            "adam(lr = 0.01)", "adamw(lr = 0.01, weight_decay = 0.1)", "sgd(lr = 0.1, momentum = 0.5), schedule: cosine(warmup = 2)"})
    void compiledStepsMatchTheInterpreter(String optimizer) {
        Compiler.Result r = Compiler.compile(SourceFile.of("small.ingot", null, model(optimizer), true), Compiler.Options.defaults());
        CompiledModel m = r.instantiate(8);
        m.initialize(3);
        if (m.spec().state().stream().anyMatch(s -> s.name().equals("opt.total_steps"))) m.state("opt.total_steps")[0] = 5;
        Graph train = r.graph("trainStep");
        Map<String, double[]> values = new HashMap<>();
        for (TensorSpec p : m.spec().params()) values.put(p.name(), toDouble(m.param(p.name())));
        for (TensorSpec s : m.spec().state()) values.put(s.name(), toDouble(m.state(s.name())));
        var rnd = new SplittableRandom(5);
        for (int step = 0; step < 5; step++) {
            int n = step == 4 ? 5 : 8;                                  // a partial batch too
            float[] x = m.inputF32("x");
            int[] y = m.inputI32("y");
            double[] xd = new double[n * 12], yd = new double[n];
            for (int i = 0; i < n * 12; i++) xd[i] = x[i] = (float) (rnd.nextDouble() * 2 - 1);
            for (int i = 0; i < n; i++) yd[i] = y[i] = rnd.nextInt(3);
            values.put("x", xd);
            values.put("y", yd);
            var res = Interpreter.run(train, values, n);
            float loss = m.trainStep(n);
            assertEquals(res.scalar("loss"), loss, 1e-4 * Math.max(1, Math.abs(loss)), "loss at step " + step);
            values.putAll(res.updated());
            for (Node leaf : train.leaves(Ops.PARAM)) compare(values.get(name(leaf)), m.param(name(leaf)), name(leaf) + " after step " + step);
            for (Node leaf : train.leaves(Ops.STATE)) compare(values.get(name(leaf)), m.state(name(leaf)), name(leaf) + " after step " + step);
        }
    }

    private static String name(Node n) { return n.attrs().s("name"); }

    private static void compare(double[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5 + 2e-4 * Math.abs(want[i]), what + "[" + i + "]");
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
