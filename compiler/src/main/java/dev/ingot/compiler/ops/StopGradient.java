package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Identity whose gradient is zero (used for the max subtracted in softmax, where the exact gradient cancels anyway).
 */
public final class StopGradient implements Elementwise {
    public String name() { return "stop_gradient"; }

    public double apply(double[] x, Attrs a) { return x[0]; }
    public String scalar(List<String> x, Attrs a) { return x.get(0); }
    public String vector(List<String> x, Attrs a) { return x.get(0); }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return java.util.Arrays.asList((Node) null); }
}
