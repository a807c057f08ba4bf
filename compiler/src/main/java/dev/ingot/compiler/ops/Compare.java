package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import java.util.Arrays;
import java.util.List;

/**
 * Elementwise comparisons {@code gt ge lt le eq ne} with broadcasting, producing a bool mask
 * (a {@code VectorMask} inside fused loops, 0/1 floats when stored). Not differentiable: the mask
 * feeds {@code where}, which routes gradients.
 */
public final class Compare implements Elementwise {
    private final String name, javaOp, vectorOp;

    Compare(String name, String javaOp, String vectorOp) {
        this.name = name;
        this.javaOp = javaOp;
        this.vectorOp = vectorOp;
    }

    public String name() { return name; }
    @Override public DType outDType() { return DType.BOOL; }

    public double apply(double[] x, Attrs a) {
        boolean r = switch (name) {
            case "gt" -> x[0] > x[1];
            case "ge" -> x[0] >= x[1];
            case "lt" -> x[0] < x[1];
            case "le" -> x[0] <= x[1];
            case "eq" -> x[0] == x[1];
            default -> x[0] != x[1];
        };
        return r ? 1 : 0;
    }

    public String scalar(List<String> x, Attrs a) { return "(" + x.get(0) + " " + javaOp + " " + x.get(1) + ")"; }
    public String vector(List<String> x, Attrs a) { return x.get(0) + ".compare(VectorOperators." + vectorOp + ", " + x.get(1) + ")"; }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return Arrays.asList(null, null); }
}
