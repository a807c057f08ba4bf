package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * The error function (for the exact GELU). <p>Forward: {@code erf(x)}; generated code uses a rational function
 * of x clamped to [-4, 4] ({@code VectorPolynomials.erf}, {@code ScalarMath.erf}: no exp, absolute error below
 * 3.5e-7, a few units in the last place of 1), the reference an accurate float64 erf.
 * Backward: {@code dx = dy * 2/sqrt(pi) * exp(-x^2)}.
 * <p>NOTE: the JDK has no erf, and the Vector API no ERF lane operation: runtime ScalarMath and {@link VectorPolynomials}.
 */
public final class Erf implements Elementwise {
    public String name() { return "erf"; }
    @Override public boolean heavy() { return true; }

    public double apply(double[] x, Attrs a) { return erf(x[0]); }

    public String scalar(List<String> x, Attrs a) { return "ScalarMath.erf(" + x.get(0) + ")"; }

    public String vector(List<String> x, Attrs a) { throw new UnsupportedOperationException("vector code is statements"); }
    @Override public String vectorStatements(List<String> x, Attrs a, String out) { return VectorPolynomials.erf(x.get(0), out); }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) {
        Node x = y.in(0);
        return List.of(g.mul(dy, g.mul(g.exp(g.neg(g.mul(x, x))), 2 / Math.sqrt(Math.PI))));
    }

    public TestSpec testSpec() { return TestSpec.of(-3, 3, TestSpec.c(TensorType.f32(3, 4))); }

    /** erf in float64: a Taylor series near 0, the continued fraction of erfc beyond. */
    public static double erf(double x) {
        double ax = Math.abs(x);
        if (ax < 2.5) {
            double term = ax, sum = ax, x2 = ax * ax;
            for (int n = 1; n < 80 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            return Math.copySign(2 / Math.sqrt(Math.PI) * sum, x);
        }
        // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated from the tail
        double f = ax;
        for (int k = 60; k >= 1; k--) f = ax + (k / 2.0) / f;
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        return Math.copySign(1 - erfc, x);
    }
}
