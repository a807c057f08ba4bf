package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Hyperbolic tangent. <p>Forward: {@code y = tanh(x)}. Backward: {@code dx = dy * (1 - y*y)} (reuses y, no second tanh).
 */
public final class Tanh implements Elementwise {
    public String name() { return "tanh"; }
    @Override public boolean heavy() { return true; }

    public double apply(double[] x, Attrs a) { return Math.tanh(x[0]); }
    public String scalar(List<String> x, Attrs a) { return "ScalarMath.tanh(" + x.get(0) + ")"; }
    public String vector(List<String> x, Attrs a) { throw new UnsupportedOperationException("vector code is statements"); }
    @Override public String vectorStatements(List<String> x, Attrs a, String out) { return VectorPolynomials.tanh(x.get(0), out); }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return List.of(g.mul(dy, g.sub(g.one(), g.mul(y, y)))); }
    public TestSpec testSpec() { return TestSpec.of(-3, 3, TestSpec.c(TensorType.f32(3, 4))); }
}
