package dev.ingot.compiler.optim;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * A learning-rate schedule, computed inside the training step from state, not baked into code:
 * {@code opt.step} (steps taken, updated by the step) and {@code opt.total_steps} (set by the
 * runtime's trainer to epochs x batches per epoch before training).
 * <pre>
 *   warm = warmup > 0 ? min(1, (step + 1) / warmup) : 1
 *   p    = clamp((step - warmup) / (total - warmup), 0, 1)
 *   constant: f = 1     cosine: f = (1 + cos(pi p)) / 2     linear: f = 1 - p
 *   lr_t = lr * warm * (total > 0 ? f : 1)
 * </pre>
 * This is PyTorch's {@code LambdaLR} with the same factor, stepped after every batch.
 *
 * @param kind   {@code constant}, {@code cosine} or {@code linear}
 * @param warmup linear warm-up steps
 */
public record Schedule(String kind, int warmup) {
    public static final List<String> KINDS = List.of("constant", "cosine", "linear");
    public static final String STEP = "opt.step", TOTAL = "opt.total_steps";

    public static Schedule constant() { return new Schedule("constant", 0); }

    /** The learning rate of this step as a scalar node; appends the step counter's update. */
    public Node lr(GraphBuilder b, double lr, List<Graph.Update> out) {
        if (kind.equals("constant") && warmup == 0) return b.constant(lr);
        Node step = b.state(STEP, TensorType.F32_SCALAR, 0);
        out.add(new Graph.Update(step, b.add(step, b.one())));
        Node f = b.one();
        if (!kind.equals("constant")) {
            Node total = b.state(TOTAL, TensorType.F32_SCALAR, 0);
            Node w = b.constant(warmup);
            Node span = b.maximum(b.sub(total, w), b.one());
            Node p = b.minimum(b.maximum(b.div(b.sub(step, w), span), b.zero()), b.one());
            f = kind.equals("cosine") ? b.mul(b.add(b.one(), b.node(dev.ingot.compiler.ops.Ops.COS, b.mul(p, Math.PI))), 0.5) : b.sub(b.one(), p);
            f = b.where(b.gt(total, b.zero()), f, b.one());
        }
        if (warmup > 0) f = b.mul(f, b.minimum(b.one(), b.div(b.add(step, b.one()), b.constant(warmup))));
        return b.mul(f, lr);
    }

    @Override public String toString() { return warmup == 0 ? kind : kind + "(warmup=" + warmup + ")"; }
}
