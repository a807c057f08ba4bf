package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * {@code phase(training, inference)}: the value a layer computes differs between training and
 * inference (dropout, batch norm). The pass {@code SelectPhase} keeps the first operand in the
 * training step and the second in predict and evaluate, before anything else runs, so this op
 * never reaches autodiff or codegen. The interpreter reads it as the training value.
 */
public final class Phase implements Elementwise {
    public String name() { return "phase"; }

    @Override public TensorType inferType(List<TensorType> in, Attrs a) {
        if (!in.get(0).equals(in.get(1))) throw new ShapeError("phase: the training and inference values differ: " + in.get(0) + " vs " + in.get(1));
        return in.get(0);
    }

    public double apply(double[] x, Attrs a) { return x[0]; }
    public String scalar(List<String> x, Attrs a) { throw new IllegalStateException("phase must be resolved by SelectPhase before codegen"); }
    public String vector(List<String> x, Attrs a) { throw new IllegalStateException("phase must be resolved by SelectPhase before codegen"); }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return Arrays.asList(dy, null); }
}
