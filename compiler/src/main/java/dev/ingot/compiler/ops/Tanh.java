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
    @Override public boolean recomputable() { return false; }   // transcendental: stored, not recomputed

    public double apply(double[] x, Attrs a) { return Math.tanh(x[0]); }
    public String scalar(List<String> x, Attrs a) { return "(float) Math.tanh(" + x.get(0) + ")"; }
    public String vector(List<String> x, Attrs a) { return x.get(0) + ".lanewise(VectorOperators.TANH)"; }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return List.of(g.mul(dy, g.sub(g.one(), g.mul(y, y)))); }
    public TestSpec testSpec() { return TestSpec.of(-3, 3, TestSpec.c(TensorType.f32(3, 4))); }
}
