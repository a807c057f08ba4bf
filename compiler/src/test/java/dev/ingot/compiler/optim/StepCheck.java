package dev.ingot.compiler.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.compiler.interp.Interpreter;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.TensorSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Compiled training steps of a DSL model against the float64 interpreter running the same
 * training-step graph: random inputs (f32 uniform, i32 ids below {@code ids}), a full and then a
 * partial batch, losses and every parameter compared after each step.
 */
final class StepCheck {
    private StepCheck() {}

    static void run(String source, int batch, int steps, int ids, boolean vector, String... skip) {
        Compiler.Result r = Compiler.compile(SourceFile.of("check.ingot", null, source, true), Compiler.Options.defaults().withVector(vector));
        CompiledModel m = r.instantiate(batch);
        m.initialize(3);
        if (m.spec().state().stream().anyMatch(s -> s.name().equals("opt.total_steps"))) m.state("opt.total_steps")[0] = steps + 2;
        Graph train = r.graph("trainStep");
        Map<String, double[]> values = new HashMap<>();
        for (TensorSpec p : m.spec().params()) values.put(p.name(), toDouble(m.param(p.name())));
        for (TensorSpec s : m.spec().state()) values.put(s.name(), toDouble(m.state(s.name())));
        var rnd = new SplittableRandom(5);
        for (int step = 0; step < steps; step++) {
            int n = step == steps - 1 && batch > 1 ? batch - 1 : batch;
            for (TensorSpec in : concat(m)) {
                int count = (int) in.numel(n);
                double[] v = new double[count];
                if (in.dtype() == DType.I32) {
                    int[] dst = m.inputI32(in.name());
                    for (int i = 0; i < count; i++) v[i] = dst[i] = rnd.nextInt(ids);
                } else {
                    float[] dst = m.inputF32(in.name());
                    for (int i = 0; i < count; i++) v[i] = dst[i] = (float) rnd.nextDouble();
                }
                values.put(in.name(), v);
            }
            var res = Interpreter.run(train, values, n);
            float loss = m.trainStep(n);
            String where = (vector ? "vector" : "scalar") + " step " + step;
            assertEquals(res.scalar("loss"), loss, 1e-4 * Math.max(1, Math.abs(loss)), "loss, " + where);
            values.putAll(res.updated());
            for (Node leaf : train.leaves(Ops.PARAM)) {
                String name = leaf.attrs().s("name");
                if (java.util.Arrays.asList(skip).contains(name)) continue;
                double[] want = values.get(name);
                float[] got = m.param(name);
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 3e-5 + 3e-4 * Math.abs(want[i]), name + "[" + i + "], " + where);
            }
            for (Node leaf : train.leaves(Ops.STATE)) {
                String name = leaf.attrs().s("name");
                if (name.startsWith("opt.")) continue;
                double[] want = values.get(name);
                float[] got = m.state(name);
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 3e-5 + 3e-4 * Math.abs(want[i]), name + "[" + i + "], " + where);
            }
        }
    }

    private static java.util.List<TensorSpec> concat(CompiledModel m) {
        var l = new java.util.ArrayList<>(m.spec().inputs());
        l.addAll(m.spec().labels());
        return l;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
