package dev.ingot.compiler.reference;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code max_pool2d} and {@code avg_pool2d} against PyTorch ({@code pool.safetensors}; average with
 * {@code count_include_pad=True}, floor output size), forward and gradient, in the reference
 * interpreter, and forward and batch-summed input gradient through the generated code
 * ({@link CompiledWindowCases}). A null stride in the fixture means the default (the window), passed as no argument.
 */
class PyTorchPoolFixturesTest {
    static Stream<Arguments> cases() throws IOException { return FixtureCases.list("pool", c -> true).stream(); }

    @ParameterizedTest(name = "{0} case {1}: {2}")
    @MethodSource("cases")
    void matchesPyTorch(String file, int i, String what) throws IOException {
        FixtureCases.check(file, i, PyTorchPoolFixturesTest::pool, List.of());
    }

    private static Map<Integer, Map<String, float[]>> compiled;

    @ParameterizedTest(name = "{0} case {1}: {2}")
    @MethodSource("cases")
    void compiledMatchesPyTorch(String file, int i, String what) throws IOException {
        synchronized (PyTorchPoolFixturesTest.class) {
            if (compiled == null) compiled = CompiledWindowCases.run(file, c -> {
                @SuppressWarnings("unchecked") Map<String, Object> a = (Map<String, Object>) c.get("attrs");
                return "%s(X, size = %s%s, padding = %s)".formatted(c.get("op"), CompiledWindowCases.list(a.get("kernel")),
                        a.get("stride") == null ? "" : ", stride = " + CompiledWindowCases.list(a.get("stride")), CompiledWindowCases.list(a.get("padding")));
            });
        }
        CompiledWindowCases.check(file, i, compiled.get(i), what);
    }

    static Node pool(GraphBuilder b, String op, Map<String, Object> a, Map<String, Node> in) {
        Map<String, Object> named = new HashMap<>();
        named.put("size", FixtureCases.ints(a.get("kernel")));
        if (a.get("stride") != null) named.put("stride", FixtureCases.ints(a.get("stride")));
        named.put("padding", FixtureCases.ints(a.get("padding")));
        return FixtureCases.call(b, op, List.of(in.get("x")), named);
    }
}
