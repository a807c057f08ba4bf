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
    @Override public boolean recomputable() { return false; }   // transcendental: stored, not recomputed

    public double apply(double[] x, Attrs a) { return Math.exp(x[0]); }
    public String scalar(List<String> x, Attrs a) { return "(float) Math.exp(" + x.get(0) + ")"; }
    public String vector(List<String> x, Attrs a) { return x.get(0) + ".lanewise(VectorOperators.EXP)"; }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return List.of(g.mul(dy, y)); }
    public TestSpec testSpec() { return TestSpec.of(-2, 2, TestSpec.c(TensorType.f32(3, 4))); }
}
