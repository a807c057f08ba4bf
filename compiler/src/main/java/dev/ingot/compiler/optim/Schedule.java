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
 * <p>{@code plateau(factor, patience)} (PyTorch's {@code ReduceLROnPlateau}): {@code lr_t = lr *
 * warm * opt.lr_scale}, where the state scalar {@code opt.lr_scale} starts at 1 and the runtime's
 * trainer multiplies it by {@code factor} whenever the held-out metric has not improved for
 * {@code patience} evaluations. Being state, the scale is saved in checkpoints.
 *
 * @param kind     {@code constant}, {@code cosine}, {@code linear} or {@code plateau}
 * @param warmup   linear warm-up steps
 * @param factor   plateau: the factor applied to the learning rate on a plateau
 * @param patience plateau: evaluations without improvement before it is applied
 */
public record Schedule(String kind, int warmup, double factor, int patience) {
    public static final List<String> KINDS = List.of("constant", "cosine", "linear", "plateau");
    public static final String STEP = "opt.step", TOTAL = "opt.total_steps", LR_SCALE = "opt.lr_scale";
    public static final double DEFAULT_FACTOR = 0.5;
    public static final int DEFAULT_PATIENCE = 2;

    public Schedule(String kind, int warmup) { this(kind, warmup, DEFAULT_FACTOR, DEFAULT_PATIENCE); }

    public static Schedule constant() { return new Schedule("constant", 0); }

    /** The learning rate of this step as a scalar node; appends the step counter's update. */
    public Node lr(GraphBuilder b, double lr, List<Graph.Update> out) {
        if (kind.equals("constant") && warmup == 0) return b.constant(lr);
        if (kind.equals("plateau") && warmup == 0) return b.mul(b.state(LR_SCALE, TensorType.F32_SCALAR, 1), lr);
        Node step = b.state(STEP, TensorType.F32_SCALAR, 0);
        out.add(new Graph.Update(step, b.add(step, b.one())));
        Node f = kind.equals("plateau") ? b.state(LR_SCALE, TensorType.F32_SCALAR, 1) : b.one();
        if (kind.equals("cosine") || kind.equals("linear")) {
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

    @Override public String toString() {
        String args = (warmup == 0 ? "" : "warmup=" + warmup)
                + (kind.equals("plateau") ? (warmup == 0 ? "" : ", ") + "factor=" + factor + ", patience=" + patience : "");
        return args.isEmpty() ? kind : kind + "(" + args + ")";
    }
}
