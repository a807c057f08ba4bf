package dev.ingot.compiler.codegen;

import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.runtime.model.TrainConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** The {@code SPEC} constant of a generated class: a {@code ModelSpec} literal. */
final class SpecEmitter {
    private SpecEmitter() {}

    static String spec(ModelDescription d, Collection<Node> states) {
        List<String> outputs = new ArrayList<>();
        for (Map.Entry<String, Node> o : d.outputs().entrySet()) outputs.add(tensor(o.getKey(), o.getValue().dtype(), o.getValue().shape()));
        List<String> st = new ArrayList<>();
        for (Node s : states) st.add(tensor(s.attrs().s("name"), s.dtype(), s.shape()));
        return "new ModelSpec(" + str(d.modelName()) + ", " + str(d.sourceName()) + ",\n"
                + list(leaves(d.inputs())) + ",\n" + list(leaves(d.labels())) + ",\n" + list(outputs) + ",\n"
                + list(leaves(d.params())) + ",\n" + list(st) + ",\n" + train(d.train()) + ")";
    }

    private static List<String> leaves(List<Node> ns) {
        List<String> r = new ArrayList<>();
        for (Node n : ns) r.add(tensor(n.attrs().s("name"), n.dtype(), n.shape()));
        return r;
    }

    private static String tensor(String name, DType dt, Shape s) {
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < s.rank(); i++) dims.append(i > 0 ? ", " : "").append(s.dim(i) == Shape.BATCH ? "TensorSpec.BATCH" : Integer.toString(s.dim(i)));
        return "new TensorSpec(" + str(name) + ", DType." + (dt == DType.I32 ? "I32" : "F32") + ", new int[] {" + dims + "})";
    }

    private static String list(List<String> items) { return items.isEmpty() ? "List.of()" : "List.of(\n" + String.join(",\n", items) + ")"; }

    private static String train(TrainConfig t) {
        if (t == null) return "null";
        List<String> hp = new ArrayList<>();
        // NOTE: in key order, so that the generated source is the same in every JVM (Map.of's order is not)
        new java.util.TreeMap<>(t.hyper()).forEach((k, v) -> hp.add(str(k) + ", " + v));
        String data = "null";
        if (t.data() != null) {
            List<String> opts = new ArrayList<>();
            new java.util.TreeMap<>(t.data().options()).forEach((k, v) -> opts.add(str(k) + ", " + str(v)));
            data = "new TrainConfig.DataSpec(" + str(t.data().kind()) + ", Map.of(" + String.join(", ", opts) + "))";
        }
        return "new TrainConfig(" + t.batch() + ", " + t.epochs() + ", " + str(t.optimizer()) + ", Map.of(" + String.join(", ", hp) + "), " + data + ", " + str(t.schedule()) + ", " + str(t.metric()) + ", " + strings(t.steps()) + ", " + strings(t.reports()) + ")";
    }

    private static String strings(List<String> items) { return "List.of(" + String.join(", ", items.stream().map(SpecEmitter::str).toList()) + ")"; }

    static String str(String s) { return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""; }
}
