package dev.ingot.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ingot.compiler.GradCheck;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every primitive's and every composite's gradient against central differences, in float64. */
class OpGradientCheckTest {
    /** Differentiable primitives (those with a test spec; the test below checks that none is missing one). */
    static Stream<Op> primitives() { return Ops.all().stream().filter(op -> !(op instanceof Leaf) && op.testSpec() != null); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("primitives")
    void vjpMatchesCentralDifferences(Op op) {
        TestSpec spec = op.testSpec();
        int i = 0;
        for (TestSpec.Case c : spec.cases()) {
            GradCheck.check(op.name() + " " + c.inputs() + " " + c.attrs(), c.inputs(), (b, xs) -> b.node(op, xs, c.attrs()),
                    spec.lo(), spec.hi(), spec.avoidZero(), spec.intHi(), 42 + i++);
        }
    }

    @Test
    void everyDifferentiablePrimitiveHasATestSpec() {
        for (Op op : Ops.all()) {
            // not differentiable: markers, masks, random numbers; gradient ops are checked through their forward op
            if (op instanceof Leaf || op == Ops.STOP_GRADIENT || op == Ops.CAST || op instanceof Compare || op == Ops.PHASE
                    || op == Ops.RANDOM_UNIFORM || op == Ops.F32_TO_I32 || op == Ops.GRAD || op.name().contains("_grad") || op == Ops.SCATTER_ADD) continue;
            if (op instanceof Control) continue;           // scan: checked against the unrolled graph in ScanTest
            assertFalse(op.testSpec() == null, op.name() + " needs a TestSpec so its gradient is checked");
        }
    }

    static TensorType f(int... d) { return TensorType.f32(d); }

    /** Composites, by DSL name, with argument types and named scalar arguments. */
    static Stream<Arguments> composites() {
        TensorType labels = new TensorType(DType.I32, Shape.of(4));
        return Stream.of(
                Arguments.of("relu", List.of(f(3, 4)), Map.of()),
                Arguments.of("leaky_relu", List.of(f(3, 4)), Map.of("alpha", 0.2)),
                Arguments.of("square", List.of(f(3, 4)), Map.of()),
                Arguments.of("mean", List.of(f(3, 4)), Map.of()),
                Arguments.of("min", List.of(f(3, 4)), Map.of()),
                Arguments.of("softmax", List.of(f(3, 5)), Map.of()),
                Arguments.of("log_softmax", List.of(f(3, 5)), Map.of()),
                Arguments.of("softmax_cross_entropy", List.of(f(4, 5), labels), Map.of()),
                Arguments.of("softmax_cross_entropy", List.of(f(4, 5), f(4, 5)), Map.of()),
                Arguments.of("mse", List.of(f(3, 4), f(3, 4)), Map.of()),
                Arguments.of("clip", List.of(f(3, 4), f(3, 4), f(3, 4)), Map.of()),
                Arguments.of("clamp", List.of(f(3, 4), f(1, 4), f(3, 1)), Map.of()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("composites")
    void compositeGradients(String name, List<TensorType> types, Map<String, Object> named) {
        Builtin fn = Ops.functions().get(name);
        BiFunction<dev.ingot.compiler.ir.GraphBuilder, List<dev.ingot.compiler.ir.Node>, dev.ingot.compiler.ir.Node> body =
                (b, xs) -> fn.call(b, TestArgs.bind(fn, xs, named));
        GradCheck.check(name, types, body, -2, 2, name.contains("relu"), 5, 7);
    }
}
