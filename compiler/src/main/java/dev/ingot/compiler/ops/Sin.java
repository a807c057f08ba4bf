package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/** Elementwise sine. <p>Forward: {@code y = sin(x)}. Backward: {@code dx = dy * cos(x)}. */
public final class Sin implements Elementwise {
    public String name() { return "sin"; }
    @Override public boolean recomputable() { return false; }   // its vector form may differ by JIT tier: stored, not recomputed
    public double apply(double[] x, Attrs a) { return Math.sin(x[0]); }
    public String scalar(List<String> x, Attrs a) { return "(float) Math.sin(" + x.get(0) + ")"; }
    public String vector(List<String> x, Attrs a) { return x.get(0) + ".lanewise(VectorOperators.SIN)"; }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return List.of(g.mul(dy, g.node(Ops.COS, y.in(0)))); }
    public TestSpec testSpec() { return TestSpec.of(-3, 3, TestSpec.c(TensorType.f32(3, 4))); }
}
