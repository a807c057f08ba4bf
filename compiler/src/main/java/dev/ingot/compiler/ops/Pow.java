package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Power by a constant exponent ({@code exponent}). <p>Forward: {@code y = x ** c}. Backward: {@code dx = dy * c * x ** (c - 1)}.
 * Small integer and half exponents lower to multiplications and square roots.
 */
public final class Pow implements Elementwise {
    public String name() { return "pow"; }
    @Override public boolean recomputable() { return false; }   // its vector form may differ by JIT tier: stored, not recomputed

    public double apply(double[] x, Attrs a) { return Math.pow(x[0], a.d("exponent")); }
    public String scalar(List<String> x, Attrs a) {
        double c = a.d("exponent");
        String v = x.get(0);
        if (c == 1) return v;
        if (c == 2) return "(" + v + " * " + v + ")";
        if (c == 3) return "(" + v + " * " + v + " * " + v + ")";
        if (c == 0.5) return "(float) Math.sqrt(" + v + ")";
        if (c == -1) return "(1f / " + v + ")";
        return "(float) Math.pow(" + v + ", " + c + ")";
    }
    public String vector(List<String> x, Attrs a) {
        double c = a.d("exponent");
        String v = x.get(0);
        if (c == 1) return v;
        if (c == 2) return v + ".mul(" + v + ")";
        if (c == 3) return v + ".mul(" + v + ").mul(" + v + ")";
        if (c == 0.5) return v + ".sqrt()";
        if (c == -1) return "FloatVector.broadcast(F, 1f).div(" + v + ")";
        return v + ".lanewise(VectorOperators.POW, " + Elementwise.lit(c) + ")";
    }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) {
        double c = y.attrs().d("exponent");
        Node d = c == 2 ? g.mul(y.in(0), 2) : g.mul(g.pow(y.in(0), c - 1), c);
        return List.of(g.mul(dy, d));
    }
    public TestSpec testSpec() {
        return TestSpec.of(0.3, 2, TestSpec.c(Attrs.of("exponent", 2.0), TensorType.f32(3, 4)), TestSpec.c(Attrs.of("exponent", 3.0), TensorType.f32(3, 4)),
                TestSpec.c(Attrs.of("exponent", 0.5), TensorType.f32(3, 4)), TestSpec.c(Attrs.of("exponent", -1.0), TensorType.f32(3, 4)), TestSpec.c(Attrs.of("exponent", 1.7), TensorType.f32(3, 4)));
    }
}
