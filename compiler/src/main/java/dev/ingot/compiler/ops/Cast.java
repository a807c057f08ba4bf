package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import java.util.Arrays;
import java.util.List;

/** A bool mask as f32: 1 where true, 0 where false ({@code to_f32}). Not differentiable. */
public final class Cast implements Elementwise {
    public String name() { return "to_f32"; }
    @Override public DType inDType(int i) { return DType.BOOL; }
    public double apply(double[] x, Attrs a) { return x[0] != 0 ? 1 : 0; }
    public String scalar(List<String> x, Attrs a) { return "(" + x.get(0) + " ? 1f : 0f)"; }
    public String vector(List<String> x, Attrs a) { return "FloatVector.zero(F).blend(1f, " + x.get(0) + ")"; }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return Arrays.asList((Node) null); }
}
