package dev.ingot.compiler.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.ingot.runtime.io.Json;
import dev.ingot.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ingot's ops against PyTorch: forward values and gradients of every case of the committed
 * fixtures ({@code tools/reference/fixtures}, written by {@code tools/reference/gen_fixtures.py}),
 * computed by the reference interpreter from the fixtures' float32 inputs. (The generated code is
 * held to the interpreter by {@code GeneratedVsInterpreterTest}, and to PyTorch on a whole model by
 * {@link PyTorchModelFixtureTest}.)
 */
class PyTorchFixturesTest {
    static final Path FIXTURES = Fixtures.dir();

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> r = new ArrayList<>();
        for (String group : List.of("matmul", "binary", "unary", "where", "reduce", "shape", "softmax", "loss")) {
            try (SafeTensors.Reader in = SafeTensors.open(FIXTURES.resolve(group + ".safetensors"))) {
                int n = Integer.parseInt(in.metadata().get("num_cases"));
                for (int i = 0; i < n; i++) {
                    @SuppressWarnings("unchecked") Map<String, Object> c = (Map<String, Object>) Json.parse(in.metadata().get("case" + i));
                    @SuppressWarnings("unchecked") Map<String, Object> attrs = (Map<String, Object>) c.get("attrs");
                    if (Boolean.TRUE.equals(attrs.get("batched"))) continue;     // rank-3 batched matmul: the transformer issue adds it
                    r.add(Arguments.of(group, i, c.get("op") + " " + c.get("shapes") + " " + c.get("attrs")));
                }
            }
        }
        return r.stream();
    }

    @ParameterizedTest(name = "{0} case {1}: {2}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void matchesPyTorch(String group, int i, String what) throws IOException {
        try (SafeTensors.Reader in = SafeTensors.open(FIXTURES.resolve(group + ".safetensors"))) {
            Map<String, Object> c = (Map<String, Object>) Json.parse(in.metadata().get("case" + i));
            String op = (String) c.get("op");
            Map<String, Object> attrs = (Map<String, Object>) c.get("attrs");
            List<String> inputs = (List<String>) c.get("inputs");
            Map<String, String> grads = (Map<String, String>) c.get("grads");
            GraphBuilder b = new GraphBuilder();
            Map<String, double[]> values = new HashMap<>();
            List<Node> leaves = new ArrayList<>();
            for (String name : inputs) {
                var info = in.info("case" + i + "." + name);
                boolean ints = info.dtype().equals("I32");
                TensorType t = new TensorType(ints ? DType.I32 : DType.F32, new Shape(info.shape()));
                values.put(name, ints ? toDouble(in.readI32(info.name())) : toDouble(in.readF32(info.name())));
                leaves.add(grads.containsKey(name) ? b.param(name, t, Attrs.NONE) : b.input(name, t, "input"));
            }
            Node y = apply(b, op, attrs, leaves);
            double[] dy = toDouble(in.readF32("case" + i + "." + c.get("dy")));
            Node u = y.shape().isScalar() ? b.constant(dy[0]) : b.constTensor(y.shape(), dy);
            Graph g = new Graph("ref", List.of(new Graph.Output("y", y), new Graph.Output("loss", b.sumAll(b.mul(y, u)))), List.of());
            var res = Interpreter.run(new Differentiate().run(g, PassContext.test()), values, 1);
            compare(in.readF32("case" + i + "." + c.get("output")), res.output("y"), what + ": forward");
            for (var e : grads.entrySet())
                compare(in.readF32("case" + i + "." + e.getValue()), res.output(Differentiate.GRAD + e.getKey()), what + ": gradient of " + e.getKey());
        }
    }

    /** The fixture's op through Ingot's DSL functions, with PyTorch's attribute names mapped to Ingot's. */
    @SuppressWarnings("unchecked")
    static Node apply(GraphBuilder b, String op, Map<String, Object> a, List<Node> x) {
        Map<String, Object> named = new HashMap<>();
        String fn = op;
        switch (op) {
            case "matmul" -> {
                named.put("transpose_a", Boolean.TRUE.equals(a.get("transpose_a")));
                named.put("transpose_b", Boolean.TRUE.equals(a.get("transpose_b")));
            }
            case "sum", "mean", "max" -> {
                if (a.get("axes") != null) named.put("axis", ints((List<Object>) a.get("axes")));
                named.put("keepdims", Boolean.TRUE.equals(a.get("keepdim")));
            }
            case "reshape", "broadcast_to" -> named.put("shape", ints((List<Object>) a.get("shape")));
            case "transpose", "permute" -> {
                fn = "transpose";
                named.put("perm", ints((List<Object>) a.get("perm")));
            }
            case "softmax", "log_softmax" -> named.put("axis", ((Number) a.get("axis")).intValue());
            case "pow" -> named.put("exponent", ((Number) a.get("exponent")).doubleValue());
            case "neg" -> { return b.neg(x.get(0)); }
            case "add" -> { return b.add(x.get(0), x.get(1)); }
            case "sub" -> { return b.sub(x.get(0), x.get(1)); }
            case "mul" -> { return b.mul(x.get(0), x.get(1)); }
            case "div" -> { return b.div(x.get(0), x.get(1)); }
            case "where" -> { return b.where(b.gt(x.get(0), b.zero()), x.get(1), x.get(2)); }
            default -> { }
        }
        Builtin f = Ops.functions().get(fn);
        assertTrue(f != null, "no Ingot function for PyTorch op " + op);
        return f.call(b, TestArgs.bind(f, x, named));
    }

    private static int[] ints(List<Object> l) { return l.stream().mapToInt(o -> ((Number) o).intValue()).toArray(); }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int k = 0; k < a.length; k++) d[k] = a[k];
        return d;
    }

    static double[] toDouble(int[] a) {
        double[] d = new double[a.length];
        for (int k = 0; k < a.length; k++) d[k] = a[k];
        return d;
    }

    static void compare(float[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what + ": element count");
        for (int k = 0; k < want.length; k++) assertEquals(want[k], got[k], 1e-5 * (1 + Math.abs(want[k])), what + " [" + k + "]");
    }

    /** Locates {@code tools/reference/fixtures} from the module directory. */
    static final class Fixtures {
        static Path dir() {
            for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
                Path f = p.resolve("tools/reference/fixtures");
                if (Files.isDirectory(f)) return f;
            }
            throw new IllegalStateException("tools/reference/fixtures not found above " + Path.of("").toAbsolutePath());
        }
    }
}
