package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import java.util.List;

/**
 * Maximum over {@code axes}. <p>Forward: {@code y = max(x, axes, keepdims)}. Backward: the gradient
 * goes to the elements equal to the maximum: {@code dx = where(x == y, dy, 0)} (broadcast).
 * Ties receive the gradient each; the test domain avoids ties.
 */
public final class ReduceMax implements Reduction {
    public String name() { return "max"; }
    public double identity() { return Double.NEGATIVE_INFINITY; }
    public double combine(double acc, double x) { return Math.max(acc, x); }
    public String scalarCombine(String acc, String x) { return "Math.max(" + acc + ", " + x + ")"; }
    public String vectorCombine(String acc, String x) { return acc + ".max(" + x + ")"; }
    public String vectorReduce(String v) { return v + ".reduceLanes(VectorOperators.MAX)"; }   // exact in any order

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) {
        Node x = y.in(0);
        Shape kept = Reductions.keptShape(x.shape(), y.attrs());
        Node yb = g.broadcastTo(g.reshape(y, kept), x.shape());
        Node dyb = g.broadcastTo(g.reshape(dy, kept), x.shape());
        return List.of(g.where(g.eq(x, yb), dyb, g.zero()));
    }

    public TestSpec testSpec() { return Reductions.spec(); }
}
