package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/** Elementwise cosine (learning-rate schedules, positional encodings). <p>Forward: {@code y = cos(x)}. Backward: {@code dx = -dy * sin(x)}. */
public final class Cos implements Elementwise {
    public String name() { return "cos"; }
    @Override public boolean recomputable() { return false; }   // its vector form may differ by JIT tier: stored, not recomputed
    public double apply(double[] x, Attrs a) { return Math.cos(x[0]); }
    public String scalar(List<String> x, Attrs a) { return "(float) Math.cos(" + x.get(0) + ")"; }
    public String vector(List<String> x, Attrs a) { return x.get(0) + ".lanewise(VectorOperators.COS)"; }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return List.of(g.neg(g.mul(dy, g.node(Ops.SIN, y.in(0))))); }
    public TestSpec testSpec() { return TestSpec.of(-3, 3, TestSpec.c(TensorType.f32(3, 4))); }
}
