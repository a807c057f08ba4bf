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
 * The library's recurrent layers end to end through the compiler: compiled training steps (loop
 * forward, backpropagation through time, Adam) against the interpreter on the same graph.
 */
class RecurrentTrainStepTest {
    static String model(String layer) {
        return """
            model Seq {
              input  ids: i32[batch, 7]
              label  y: i32[batch]
              layer  emb = embedding(11, 5)
              layer  rec = %s
              layer  out = dense(6, 3)
              output logits = ids |> emb |> rec |> out
              loss = softmax_cross_entropy(logits, y)
              train { optimizer: adam(lr = 0.01), batch: 4 }
            }
            """.formatted(layer);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rnn(5, 6)", "lstm(5, 6)", "gru(5, 6)", "lstm(5, 6, reverse = true)", "bidirectional(gru(5, 3), merge = \"concat\")",
            "sequential(lstm(5, 6, return_sequences = true), gru(6, 6))"})
    void compiledStepsMatchTheInterpreter(String layer) {
        Compiler.Result r = Compiler.compile(SourceFile.of("seq.ingot", null, model(layer), true), Compiler.Options.defaults());
        CompiledModel m = r.instantiate(4);
        m.initialize(3);
        Graph train = r.graph("trainStep");
        Map<String, double[]> values = new HashMap<>();
        for (TensorSpec p : m.spec().params()) values.put(p.name(), toDouble(m.param(p.name())));
        for (TensorSpec s : m.spec().state()) values.put(s.name(), toDouble(m.state(s.name())));
        var rnd = new SplittableRandom(5);
        for (int step = 0; step < 3; step++) {
            int n = step == 2 ? 3 : 4;
            int[] ids = m.inputI32("ids"), y = m.inputI32("y");
            double[] idd = new double[n * 7], yd = new double[n];
            for (int i = 0; i < n * 7; i++) idd[i] = ids[i] = rnd.nextInt(11);
            for (int i = 0; i < n; i++) yd[i] = y[i] = rnd.nextInt(3);
            values.put("ids", idd);
            values.put("y", yd);
            var res = Interpreter.run(train, values, n);
            float loss = m.trainStep(n);
            assertEquals(res.scalar("loss"), loss, 1e-4 * Math.max(1, Math.abs(loss)), layer + ": loss at step " + step);
            values.putAll(res.updated());
            for (Node leaf : train.leaves(Ops.PARAM)) {
                String name = leaf.attrs().s("name");
                double[] want = values.get(name);
                float[] got = m.param(name);
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-5 + 2e-4 * Math.abs(want[i]), layer + ": " + name + "[" + i + "] after step " + step);
            }
        }
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
