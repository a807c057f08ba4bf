package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Sum over {@code axes}. <p>Forward: {@code y = sum(x, axes, keepdims)}. Backward: {@code dx =
 * broadcast_to(dy with the reduced axes kept as 1, shape(x))}, which fuses into its consumer.
 */
public final class ReduceSum implements Reduction {
    public String name() { return "sum"; }
    public double identity() { return 0; }
    public double combine(double acc, double x) { return acc + x; }
    public String scalarCombine(String acc, String x) { return acc + " + " + x; }
    public String vectorCombine(String acc, String x) { return acc + ".add(" + x + ")"; }
    /**
     * {@code Simd.sum}'s butterfly, not {@code reduceLanes(ADD)}: one lane order in every JIT tier. Written out in the
     * kernel (guards on the lane count C2 folds), since a call of {@code Simd.sum} after a reduction loop is not
     * inlined by JDK 17's C2 ("too big"), which then boxes the accumulator once per row.
     */
    @Override public String vectorFold(String v) {
        StringBuilder b = new StringBuilder();
        for (int d : new int[] {16, 8, 4, 2, 1})
            b.append("if (Simd.L > ").append(d).append(") ").append(v).append(" = ").append(v).append(".add(").append(v).append(".rearrange(Simd.X").append(d).append("));\n");
        return b.toString();
    }

    public String vectorReduce(String v) { return v + ".lane(0)"; }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) {
        Node x = y.in(0);
        return List.of(g.broadcastTo(g.reshape(dy, Reductions.keptShape(x.shape(), y.attrs())), x.shape()));
    }

    public TestSpec testSpec() { return Reductions.spec(); }
}
