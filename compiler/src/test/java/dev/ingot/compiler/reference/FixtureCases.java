package dev.ingot.compiler.reference;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.autodiff.Differentiate;
import dev.ingot.compiler.interp.Interpreter;
import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.TestArgs;
import dev.ingot.compiler.pass.PassContext;
import dev.ingot.compiler.pass.SelectPhase;
import dev.ingot.runtime.io.Json;
import dev.ingot.runtime.io.SafeTensors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Shared machinery of the op-group fixture tests (conv, pool, cnn_misc, the embedding cases of rnn,
 * the op cases of transformer): reads a case's metadata and tensors, builds the op through a
 * test-supplied function of Ingot's graph builder, differentiates {@code sum(y * dy)} and runs both
 * in the float64 reference interpreter, then compares the forward value, every gradient and any
 * {@code extra_out} (the updated state named by the case) with PyTorch.
 */
final class FixtureCases {
    private FixtureCases() {}

    /** Builds the op of a case from its leaves (by input name, in the case's order) and attributes. */
    interface OpBuilder {
        Node apply(GraphBuilder b, String op, Map<String, Object> attrs, Map<String, Node> in);
    }

    /** Cases of {@code file} (without extension) whose metadata passes {@code keep}: (file, index, label). */
    @SuppressWarnings("unchecked")
    static List<Arguments> list(String file, Predicate<Map<String, Object>> keep) throws IOException {
        List<Arguments> r = new ArrayList<>();
        try (SafeTensors.Reader in = SafeTensors.open(PyTorchFixturesTest.Fixtures.dir().resolve(file + ".safetensors"))) {
            int n = Integer.parseInt(in.metadata().get("num_cases"));
            for (int i = 0; i < n; i++) {
                Map<String, Object> c = (Map<String, Object>) Json.parse(in.metadata().get("case" + i));
                if (keep.test(c)) r.add(Arguments.of(file, i, c.get("op") + " " + c.get("shapes") + " " + c.get("attrs")));
            }
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> meta(SafeTensors.Reader in, int i) {
        return (Map<String, Object>) Json.parse(in.metadata().get("case" + i));
    }

    /**
     * Checks case {@code i} of {@code file}. Inputs with a gradient become params; the others inputs,
     * except those named in {@code stateInputs} (state leaves, e.g. batch norm's running statistics).
     * {@code extra_out} entries {@code <state>_out} are compared with the graph's update of {@code <state>}.
     */
    @SuppressWarnings("unchecked")
    static void check(String file, int i, OpBuilder op, List<String> stateInputs) throws IOException {
        try (SafeTensors.Reader in = SafeTensors.open(PyTorchFixturesTest.Fixtures.dir().resolve(file + ".safetensors"))) {
            Map<String, Object> c = meta(in, i);
            String what = file + " case " + i + " " + c.get("op") + " " + c.get("attrs");
            Map<String, Object> attrs = (Map<String, Object>) c.get("attrs");
            Map<String, String> grads = (Map<String, String>) c.get("grads");
            GraphBuilder b = new GraphBuilder();
            Map<String, double[]> values = new HashMap<>();
            Map<String, Node> leaves = new LinkedHashMap<>();
            for (String name : (List<String>) c.get("inputs")) {
                var info = in.info("case" + i + "." + name);
                boolean ints = info.dtype().equals("I32");
                TensorType t = new TensorType(ints ? DType.I32 : DType.F32, new Shape(info.shape()));
                values.put(name, ints ? PyTorchFixturesTest.toDouble(in.readI32(info.name())) : PyTorchFixturesTest.toDouble(in.readF32(info.name())));
                Node leaf = grads.containsKey(name) ? b.param(name, t, Attrs.NONE)
                        : stateInputs.contains(name) ? b.state(name, t, 0) : b.input(name, t, "input");
                leaves.put(name, leaf);
            }
            Node y = op.apply(b, (String) c.get("op"), attrs, leaves);
            double[] dy = PyTorchFixturesTest.toDouble(in.readF32("case" + i + "." + c.get("dy")));
            Node u = y.shape().isScalar() ? b.constant(dy[0]) : b.constTensor(y.shape(), dy);
            Graph g = new Graph("ref", List.of(new Graph.Output("y", y), new Graph.Output(Differentiate.LOSS, b.sumAll(b.mul(y, u)))), b.trainUpdates());
            // training-mode ops (batch norm with attrs.training) take their training branch, the others their inference one
            g = new SelectPhase(!Boolean.FALSE.equals(attrs.get("training"))).run(g, PassContext.test());
            var res = Interpreter.run(new Differentiate().run(g, PassContext.test()), values, 1);
            PyTorchFixturesTest.compare(in.readF32("case" + i + "." + c.get("output")), res.output("y"), what + ": forward");
            for (var e : grads.entrySet())
                PyTorchFixturesTest.compare(in.readF32("case" + i + "." + e.getValue()), res.output(Differentiate.GRAD + e.getKey()), what + ": gradient of " + e.getKey());
            for (String extra : (List<String>) c.getOrDefault("extra_out", List.of())) {
                String state = extra.substring(0, extra.length() - "_out".length());
                double[] got = res.updated().get(state);
                assertNotNull(got, what + ": no update of " + state);
                PyTorchFixturesTest.compare(in.readF32("case" + i + "." + extra), got, what + ": updated " + state);
            }
        }
    }

    /** Calls DSL function {@code fn} with positional tensors and named arguments. */
    static Node call(GraphBuilder b, String fn, List<Node> tensors, Map<String, Object> named) {
        Builtin f = Ops.functions().get(fn);
        assertTrue(f != null, "no Ingot function " + fn);
        return f.call(b, TestArgs.bind(f, tensors, named));
    }

    static int[] ints(Object o) {
        if (o instanceof Number n) return new int[] {n.intValue()};
        return ((List<?>) o).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
    }

    static double num(Object o) { return ((Number) o).doubleValue(); }
}
