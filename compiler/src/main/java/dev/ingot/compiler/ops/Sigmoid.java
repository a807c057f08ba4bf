package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Logistic sigmoid, a primitive for numerical reasons. <p>Forward: {@code y = 1 / (1 + exp(-x))}. Backward: {@code dx = dy * y * (1 - y)}.
 * <p>NOTE: as a composite its gradient would be {@code exp(-x) / (1 + exp(-x))^2}, which is inf/inf = NaN
 * for x below about -89 in float32; the rule in terms of y never overflows.
 */
public final class Sigmoid implements Elementwise {
    public String name() { return "sigmoid"; }
    @Override public boolean heavy() { return true; }

    public double apply(double[] x, Attrs a) { return 1 / (1 + Math.exp(-x[0])); }
    public String scalar(List<String> x, Attrs a) { return "ScalarMath.sigmoid(" + x.get(0) + ")"; }
    public String vector(List<String> x, Attrs a) { throw new UnsupportedOperationException("vector code is statements"); }
    @Override public String vectorStatements(List<String> x, Attrs a, String out) { return VectorPolynomials.sigmoid(x.get(0), out); }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return List.of(g.mul(dy, g.mul(y, g.sub(g.one(), y)))); }
    public TestSpec testSpec() { return TestSpec.of(-4, 4, TestSpec.c(TensorType.f32(3, 4))); }
}
