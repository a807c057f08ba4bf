package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Elementwise natural exponential. <p>Forward: {@code y = exp(x)}. Backward: {@code dx = dy * y} (reuses y, no second exp).
 */
public final class Exp implements Elementwise {
    public String name() { return "exp"; }
    @Override public boolean heavy() { return true; }

    public double apply(double[] x, Attrs a) { return Math.exp(x[0]); }
    public String scalar(List<String> x, Attrs a) { return "ScalarMath.exp(" + x.get(0) + ")"; }
    public String vector(List<String> x, Attrs a) { throw new UnsupportedOperationException("vector code is statements"); }
    @Override public String vectorStatements(List<String> x, Attrs a, String out) { return VectorPolynomials.exp(x.get(0), out); }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return List.of(g.mul(dy, y)); }
    public TestSpec testSpec() { return TestSpec.of(-2, 2, TestSpec.c(TensorType.f32(3, 4))); }
}
