package dev.ingot.compiler.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ingot.compiler.autodiff.Differentiate;
import dev.ingot.compiler.codegen.Harness;
import dev.ingot.compiler.interp.Interpreter;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.optim.Optimizer;
import dev.ingot.compiler.ops.Broadcasting;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.pass.PassContext;
import dev.ingot.compiler.pass.PassManager;
import dev.ingot.compiler.pass.Pipelines;
import dev.ingot.compiler.schedule.Schedule;
import dev.ingot.compiler.schedule.ScheduleVerifier;
import dev.ingot.compiler.schedule.Scheduler;
import dev.ingot.runtime.model.CompiledModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The property test of fusion and scheduling on random well-typed graphs ({@link RandomGraphs}):
 * <ul>
 *   <li>every graph's predict and training step schedule without an internal error and pass the
 *       {@link ScheduleVerifier} (kernel order, in-place updates, disjoint live buffers);</li>
 *   <li>a share of them are compiled to Java (Vector API and scalar) and run: outputs and parameter
 *       gradients against the float64 interpreter.</li>
 * </ul>
 * CI runs {@value #SCHEDULED} scheduled graphs and {@value #RUN} compiled models of {@value #PER_MODEL}
 * graphs each; {@code -Dingot.randomGraphs=N} multiplies both by N. Seeds are fixed, so a failure
 * names its seed and repeats.
 */
class RandomGraphTest {
    static final int SCHEDULED = 1500, RUN = 8, PER_MODEL = 4;

    /** SGD with momentum and weight decay: updates that read other updated state. */
    static final Map<String, Double> SGD_MOMENTUM = new LinkedHashMap<>(Optimizer.all().get("sgd").defaults());
    static {
        SGD_MOMENTUM.put("momentum", 0.9);
        SGD_MOMENTUM.put("weight_decay", 0.01);
    }

    static int scale() { return Integer.getInteger("ingot.randomGraphs", 1); }

    @Test
    void everyRandomGraphSchedulesSoundly() {
        for (int seed = 0; seed < SCHEDULED * scale(); seed++) {
            GraphBuilder b = new GraphBuilder();
            RandomGraphs.Case c = RandomGraphs.generate(b, seed, "", 6 + seed % 14);
            try {
                List<Graph.Output> outs = new ArrayList<>();
                c.outputs().forEach((k, v) -> outs.add(new Graph.Output(k, v)));
                Graph predict = PassManager.run(Pipelines.inference(new LinkedHashSet<>(c.outputs().keySet())), new Graph("predict", outs, List.of()), PassContext.test());
                ScheduleVerifier.verify(Scheduler.schedule(predict, seed % 2 == 0));
                Schedule train = Scheduler.schedule(PassManager.run(Pipelines.training(Optimizer.all().get("sgd"), SGD_MOMENTUM,
                        dev.ingot.compiler.optim.Schedule.constant(), 0), new Graph("trainStep", List.of(new Graph.Output("loss", c.loss())), List.of()), PassContext.test()), true);
                ScheduleVerifier.verify(train);
            } catch (RuntimeException e) {
                throw new AssertionError("random graph seed " + seed + " (" + c.description() + "): " + e, e);
            }
        }
    }

    @Test
    void compiledRandomGraphsMatchTheInterpreter() {
        for (int model = 0; model < RUN * scale(); model++) {
            GraphBuilder b = new GraphBuilder();
            List<Node> inputs = new ArrayList<>(), params = new ArrayList<>();
            Map<String, Node> outputs = new LinkedHashMap<>();
            Node loss = null;
            StringBuilder what = new StringBuilder("model " + model + ":");
            for (int g = 0; g < PER_MODEL; g++) {
                long seed = 100_000L + model * PER_MODEL + g;
                RandomGraphs.Case c = RandomGraphs.generate(b, seed, "g" + g + "_", 6 + (int) (seed % 14));
                inputs.addAll(c.inputs());
                params.addAll(c.params());
                outputs.putAll(c.outputs());
                loss = loss == null ? c.loss() : b.add(loss, c.loss());
                what.append(" seed ").append(seed).append(" (").append(c.description().strip()).append(")");
            }
            Graph lossGraph = new Graph("l", List.of(new Graph.Output("loss", loss)), List.of());
            List<Node> trained = lossGraph.leaves(Ops.PARAM);
            boolean vector = model % 2 == 0;
            int maxBatch = 3 + model % 5, batch = maxBatch - model % 2;
            try {
                check(inputs, trained, outputs, loss, lossGraph, vector, maxBatch, batch, model);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError(what + (vector ? " vector" : " scalar") + ": " + e.getMessage(), e);
            }
        }
    }

    private static void check(List<Node> inputs, List<Node> params, Map<String, Node> outputs, Node loss, Graph lossGraph,
                              boolean vector, int maxBatch, int batch, int model) {
        CompiledModel m = Harness.build("random" + model, inputs, params, outputs, loss, vector, maxBatch);
        var rng = new SplittableRandom(model);
        Map<String, double[]> values = new HashMap<>();
        for (Node p : params) {
            String name = p.attrs().s("name");
            float[] dst = m.param(name);
            double[] v = new double[dst.length];
            for (int k = 0; k < v.length; k++) v[k] = dst[k] = (float) (rng.nextDouble() * 2 - 1);
            values.put(name, v);
        }
        for (Node in : inputs) {
            String name = in.attrs().s("name");
            double[] v = new double[Broadcasting.numel(in.shape().concrete(batch))];
            float[] dst = m.inputF32(name);
            for (int k = 0; k < v.length; k++) v[k] = dst[k] = (float) (rng.nextDouble() * 2 - 1);
            values.put(name, v);
        }
        m.predict(batch);
        int oi = 0;
        for (var o : outputs.entrySet()) {
            Node out = o.getValue();
            double[] want = Interpreter.run(new Graph("f", List.of(new Graph.Output("y", out)), List.of()), values, batch).output("y");
            float[] got = m.output(oi++);
            for (int k = 0; k < want.length; k++) close(want[k], got[k], "output " + o.getKey() + "[" + k + "]");
        }
        var res = Interpreter.run(new Differentiate().run(lossGraph, PassContext.test()), values, batch);
        float l = m.trainStep(batch);
        close(res.scalar("loss"), l, "loss");
        for (Node p : params) {
            String name = p.attrs().s("name");
            double[] g = res.output(Differentiate.GRAD + name), before = values.get(name);
            float[] after = m.param(name);
            for (int k = 0; k < g.length; k++) close(g[k], before[k] - after[k], "gradient of " + name + "[" + k + "]");
        }
    }

    private static void close(double want, double got, String what) {
        assertEquals(want, got, 1e-4 + 1e-3 * Math.abs(want), what);
    }
}
