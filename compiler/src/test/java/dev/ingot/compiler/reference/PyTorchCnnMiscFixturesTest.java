package dev.ingot.compiler.reference;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Ops;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The other CNN ops against PyTorch ({@code cnn_misc.safetensors}), in the reference interpreter:
 * {@code pad}, {@code concat}, slicing (the {@code slice} primitive the DSL's {@code x[a:b, ...]}
 * stages to), {@code batch_normalize} in training mode (batch statistics; gradients of x, gamma,
 * beta; the updated running mean and unbiased running variance) and in inference mode (running
 * statistics), {@code global_avg_pool2d}, {@code flatten}.
 */
class PyTorchCnnMiscFixturesTest {
    static Stream<Arguments> cases() throws IOException { return FixtureCases.list("cnn_misc", c -> true).stream(); }

    @ParameterizedTest(name = "{0} case {1}: {2}")
    @MethodSource("cases")
    void matchesPyTorch(String file, int i, String what) throws IOException {
        FixtureCases.check(file, i, PyTorchCnnMiscFixturesTest::apply, List.of("running_mean", "running_var"));
    }

    @SuppressWarnings("unchecked")
    static Node apply(GraphBuilder b, String op, Map<String, Object> a, Map<String, Node> in) {
        Map<String, Object> named = new HashMap<>();
        List<Node> xs = new ArrayList<>(in.values());
        switch (op) {
            case "pad" -> {
                named.put("before", FixtureCases.ints(a.get("before")));
                named.put("after", FixtureCases.ints(a.get("after")));
                named.put("value", FixtureCases.num(a.get("value")));
            }
            case "concat" -> {
                named.put("xs", xs);
                named.put("axis", ((Number) a.get("axis")).intValue());
                return FixtureCases.call(b, "concat", List.of(), named);
            }
            case "slice" -> {
                return b.node(Ops.SLICE, Attrs.of("begin", FixtureCases.ints(a.get("begin")), "end", FixtureCases.ints(a.get("end"))), in.get("x"));
            }
            case "batch_norm" -> {
                named.put("momentum", FixtureCases.num(a.get("momentum")));
                named.put("eps", FixtureCases.num(a.get("eps")));
                return FixtureCases.call(b, "batch_normalize",
                        List.of(in.get("x"), in.get("gamma"), in.get("beta"), in.get("running_mean"), in.get("running_var")), named);
            }
            default -> { }
        }
        return FixtureCases.call(b, op, xs, named);
    }
}
