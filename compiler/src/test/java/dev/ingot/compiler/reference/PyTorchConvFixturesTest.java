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
 * Ingot's {@code conv} (the functional convolution under the {@code conv2d} layer) against PyTorch's
 * {@code F.conv2d} ({@code conv.safetensors}): forward, gradient of the input and of the weights, in
 * the reference interpreter, and forward, weight gradient and batch-summed input gradient through the
 * generated code ({@link CompiledWindowCases}). Cases: stride 1 and 2, symmetric, asymmetric and "same" padding,
 * dilation, groups, depthwise (with a channel multiplier), 1x1, rectangular kernels.
 */
class PyTorchConvFixturesTest {
    static Stream<Arguments> cases() throws IOException { return FixtureCases.list("conv", c -> true).stream(); }

    @ParameterizedTest(name = "{0} case {1}: {2}")
    @MethodSource("cases")
    void matchesPyTorch(String file, int i, String what) throws IOException {
        FixtureCases.check(file, i, PyTorchConvFixturesTest::conv, List.of());
    }

    private static Map<Integer, Map<String, float[]>> compiled;

    @ParameterizedTest(name = "{0} case {1}: {2}")
    @MethodSource("cases")
    void compiledMatchesPyTorch(String file, int i, String what) throws IOException {
        synchronized (PyTorchConvFixturesTest.class) {
            if (compiled == null) compiled = CompiledWindowCases.run(file, c -> {
                @SuppressWarnings("unchecked") Map<String, Object> a = (Map<String, Object>) c.get("attrs");
                Object p = a.get("padding");
                return "conv(X, W, stride = %s, padding = %s, dilation = %s, groups = %s)".formatted(CompiledWindowCases.list(a.get("stride")),
                        p instanceof String s ? "\"" + s + "\"" : CompiledWindowCases.list(p), CompiledWindowCases.list(a.get("dilation")), a.get("groups"));
            });
        }
        CompiledWindowCases.check(file, i, compiled.get(i), what);
    }

    static Node conv(GraphBuilder b, String op, Map<String, Object> a, Map<String, Node> in) {
        Map<String, Object> named = new HashMap<>();
        named.put("stride", FixtureCases.ints(a.get("stride")));
        Object padding = a.get("padding");
        named.put("padding", padding instanceof String s ? s : FixtureCases.ints(padding));
        named.put("dilation", FixtureCases.ints(a.get("dilation")));
        named.put("groups", ((Number) a.get("groups")).intValue());
        return FixtureCases.call(b, "conv", List.of(in.get("x"), in.get("w")), named);
    }
}
