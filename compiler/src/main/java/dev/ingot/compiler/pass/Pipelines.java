package dev.ingot.compiler.pass;

import static dev.ingot.compiler.pass.PassManager.once;
import static dev.ingot.compiler.pass.PassManager.untilFixedPoint;

import dev.ingot.compiler.autodiff.Differentiate;
import dev.ingot.compiler.optim.ApplyOptimizer;
import dev.ingot.compiler.optim.Optimizer;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The pass pipelines, as data: a commented list per entry point. */
public final class Pipelines {
    private Pipelines() {}

    /** Cheap local cleanups until nothing changes; rules feed CSE and vice versa. */
    private static PassManager.Step cleanups() {
        return untilFixedPoint(new AlgebraicSimplify(), new ConstantFolding(), new CommonSubexprElimination(), new SliceThroughElementwise(),
                new TransposeThroughRowOps(), new CausalAttention());
    }

    /** Inference (predict) and evaluation: keep the named outputs, simplify. */
    public static List<PassManager.Step> inference(Set<String> keep) {
        return List.of(
            // Dropout and batch norm in inference mode.
            once(new SelectPhase(false)),
            // grad(y, wrt) in the model becomes gradient graphs (with the phase chosen).
            once(new ExpandGradients()),
            // Keep only what this entry point returns.
            once(new DeadCodeElimination(keep)),
            // stop_gradient only matters to autodiff.
            once(new StripStopGradient()),
            cleanups(),
            // Gradients taken here (inputGradients, grad(...)): ReLU's backward reads its output.
            once(new ReluMaskFromOutput()),
            // Softmax's backward reads its output, not its exponentials.
            once(new SoftmaxFromOutput()),
            once(new DeadCodeElimination()),
            // Loop bodies get the same cleanups, as graphs of their own.
            once(new CleanScanBodies()),
            // A loop's outputs that repeat another output or a scanned input are not stacked twice.
            once(new ShareScanOutputs()),
            cleanups());
    }

    /** The body of a loop (run by {@link CleanScanBodies}): cleanups only, every output kept; nested loops too. */
    public static List<PassManager.Step> loopBody() {
        return List.of(once(new StripStopGradient()), cleanups(), once(new CleanScanBodies()));
    }

    /** The training step: forward, loss, gradients, optimizer update. */
    public static List<PassManager.Step> training(Optimizer opt, Map<String, Double> hyper, dev.ingot.compiler.optim.Schedule schedule, double clipNorm) {
        return training(opt, hyper, schedule, clipNorm, null, null, 1);
    }

    /**
     * One of several training steps: gradients for the parameters named in {@code params} only (null: all), and the
     * optimizer's scalar state named after {@code step} (null: shared names, for a model with one step); {@code batch}
     * is the batch size the step is expected to run at (the train block's), for the rewrites whose gain depends on it.
     */
    public static List<PassManager.Step> training(Optimizer opt, Map<String, Double> hyper, dev.ingot.compiler.optim.Schedule schedule, double clipNorm,
                                                  Set<String> params, String step, int batch) {
        // Dropout and batch norm in training mode; grad(y, wrt) in the model (e.g. an adversarial example) becomes
        // gradient graphs; only the loss matters for training (predict outputs are not computed unless the loss needs
        // them); loops save what their gradient needs (residuals); backward is built first, so the simplifiers see
        // forward and backward together.
        List<PassManager.Step> r = new java.util.ArrayList<>(forwardBackward(params, batch));
        // Gradients become parameter and optimizer-state updates.
        r.add(once(new ApplyOptimizer(opt, hyper, schedule, clipNorm)));
        // Several steps: each counts its own updates.
        if (step != null) r.add(once(new PrefixOptimizerState(step)));
        r.addAll(finish());
        return r;
    }

    /** Forward, loss and backward as in {@link #training}, up to the gradients ({@code grad:NAME} outputs of {@link Differentiate}). */
    private static List<PassManager.Step> forwardBackward(Set<String> params, int batch) {
        return List.of(
            once(new SelectPhase(true)),
            once(new ExpandGradients()),
            once(new DeadCodeElimination(Set.of(Differentiate.LOSS))),
            // An embedding's lookup followed by a product: the product of the (smaller) table, looked up.
            once(new FoldEmbeddingProjection(batch)),
            once(new AugmentScans()),
            once(new Differentiate(params)));
    }

    /** What every training pipeline ends with, after the gradients (and their update) exist. */
    private static List<PassManager.Step> finish() {
        return List.of(
            once(new StripStopGradient()),
            cleanups(),
            // ReLU's backward reads its output, not a stored float mask.
            once(new ReluMaskFromOutput()),
            // Softmax's backward reads its output and row sums, not its exponentials.
            once(new SoftmaxFromOutput()),
            // Drop values no output (loss, updated params and state) depends on.
            once(new DeadCodeElimination()),
            // Loop bodies get the same cleanups, as graphs of their own.
            once(new CleanScanBodies()),
            // A loop's outputs that repeat another output or a scanned input are not stacked twice.
            once(new ShareScanOutputs()),
            cleanups());
    }

    /**
     * The first half of a split training step ({@code computeGradients}): forward, loss and backward, the
     * gradients kept as {@code grad:NAME} outputs (for the parameters in {@code params}; null: all), the
     * training-mode buffer updates (running statistics, random-number counter) applied, no parameter changed.
     */
    public static List<PassManager.Step> gradients(Set<String> params, int batch) {
        List<PassManager.Step> r = new java.util.ArrayList<>(forwardBackward(params, batch));
        r.addAll(finish());
        return r;
    }

    /**
     * The second half of a split training step ({@code applyUpdate}): a graph whose {@code grad:NAME} outputs
     * are the gradient buffers becomes the optimizer update of {@code params} (with the schedule and clipping),
     * as in {@link #training}; {@code step} as there.
     */
    public static List<PassManager.Step> update(Optimizer opt, Map<String, Double> hyper, dev.ingot.compiler.optim.Schedule schedule, double clipNorm,
                                                List<dev.ingot.compiler.ir.Node> params, String step) {
        List<PassManager.Step> r = new java.util.ArrayList<>(List.of(once(new ApplyOptimizer(opt, hyper, schedule, clipNorm, params))));
        if (step != null) r.add(once(new PrefixOptimizerState(step)));
        r.addAll(List.of(cleanups(), once(new DeadCodeElimination())));
        return r;
    }
}
