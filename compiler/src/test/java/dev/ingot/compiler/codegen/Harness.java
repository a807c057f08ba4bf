package dev.ingot.compiler.codegen;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.jit.InMemoryJavac;
import dev.ingot.compiler.optim.Optimizer;
import dev.ingot.compiler.optim.Schedule;
import dev.ingot.compiler.pass.PassContext;
import dev.ingot.compiler.pass.PassManager;
import dev.ingot.compiler.pass.Pipelines;
import dev.ingot.runtime.model.CompiledModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** Compiles hand-built graphs through the real pipelines, codegen and javac, for differential tests. */
public final class Harness {
    private Harness() {}

    private static int counter;

    private static dev.ingot.compiler.schedule.Schedule schedule(Graph g, boolean vector) {
        return dev.ingot.compiler.schedule.Scheduler.schedule(g, vector);
    }

    /**
     * A model with the given leaves: {@code predict} computes {@code outputs}; when {@code loss} is
     * given, a {@code trainStep} with plain SGD at learning rate 1 (so a parameter's change is minus
     * its gradient).
     */
    public static CompiledModel build(String name, List<Node> inputs, List<Node> params, Map<String, Node> outputs, Node loss,
                                      boolean vector, int maxBatch) {
        PassContext cx = PassContext.test();
        List<Graph.Output> outs = new ArrayList<>();
        outputs.forEach((k, v) -> outs.add(new Graph.Output(k, v)));
        List<JavaEmitter.Entry> entries = new ArrayList<>();
        entries.add(new JavaEmitter.Entry("predict", schedule(PassManager.run(Pipelines.inference(new LinkedHashSet<>(outputs.keySet())), new Graph("predict", outs, List.of()), cx), vector)));
        if (loss != null) {
            Map<String, Double> hyper = new LinkedHashMap<>(Optimizer.all().get("sgd").defaults());
            hyper.put("lr", 1.0);
            Graph train = new Graph("trainStep", List.of(new Graph.Output("loss", loss)), List.of());
            entries.add(new JavaEmitter.Entry("trainStep", schedule(PassManager.run(Pipelines.training(Optimizer.all().get("sgd"), hyper, Schedule.constant(), 0), train, cx), vector)));
        }
        List<Node> in = new ArrayList<>(), labels = new ArrayList<>();
        for (Node i : inputs) (i.attrs().s("role").equals("label") ? labels : in).add(i);
        String cls = name.replaceAll("[^A-Za-z0-9]", "_") + "_" + (counter++);
        ModelDescription d = new ModelDescription(cls, name, "test.ingot", InMemoryJavac.sha256(cls), in, labels, params, outputs, null);
        JavaEmitter.Source src = JavaEmitter.emit(d, entries, new JavaEmitter.Options("ingot.test", vector));
        if (System.getProperty("ingot.dumpHarness") != null) {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(System.getProperty("ingot.dumpHarness"), cls + ".java"), src.code());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        try {
            return InMemoryJavac.compile(src.qualifiedName(), src.code()).getConstructor(int.class).newInstance(maxBatch);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
