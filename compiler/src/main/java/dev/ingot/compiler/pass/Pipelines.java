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
        return untilFixedPoint(new AlgebraicSimplify(), new ConstantFolding(), new CommonSubexprElimination());
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
            once(new DeadCodeElimination()),
            // Loop bodies get the same cleanups, as graphs of their own.
            once(new CleanScanBodies()));
    }

    /** The body of a loop (run by {@link CleanScanBodies}): cleanups only, every output kept; nested loops too. */
    public static List<PassManager.Step> loopBody() {
        return List.of(once(new StripStopGradient()), cleanups(), once(new CleanScanBodies()));
    }

    /** The training step: forward, loss, gradients, optimizer update. */
    public static List<PassManager.Step> training(Optimizer opt, Map<String, Double> hyper, dev.ingot.compiler.optim.Schedule schedule, double clipNorm) {
        return training(opt, hyper, schedule, clipNorm, null, null);
    }

    /**
     * One of several training steps: gradients for the parameters named in {@code params} only (null: all), and the
     * optimizer's scalar state named after {@code step} (null: shared names, for a model with one step).
     */
    public static List<PassManager.Step> training(Optimizer opt, Map<String, Double> hyper, dev.ingot.compiler.optim.Schedule schedule, double clipNorm,
                                                  Set<String> params, String step) {
        List<PassManager.Step> r = new java.util.ArrayList<>(List.of(
            // Dropout and batch norm in training mode.
            once(new SelectPhase(true)),
            // grad(y, wrt) in the model (e.g. an adversarial example) becomes gradient graphs.
            once(new ExpandGradients()),
            // Only the loss matters for training; predict outputs are not computed unless the loss needs them.
            once(new DeadCodeElimination(Set.of(Differentiate.LOSS))),
            // Loops save what their gradient needs (residuals), so the backward loop can read them.
            once(new AugmentScans()),
            // Build backward first, so the simplifiers see forward and backward together.
            once(new Differentiate(params)),
            // Gradients become parameter and optimizer-state updates.
            once(new ApplyOptimizer(opt, hyper, schedule, clipNorm))));
        // Several steps: each counts its own updates.
        if (step != null) r.add(once(new PrefixOptimizerState(step)));
        r.addAll(List.of(
            once(new StripStopGradient()),
            cleanups(),
            // ReLU's backward reads its output, not a stored float mask.
            once(new ReluMaskFromOutput()),
            // Drop values no output (loss, updated params and state) depends on.
            once(new DeadCodeElimination()),
            // Loop bodies get the same cleanups, as graphs of their own.
            once(new CleanScanBodies())));
        return r;
    }
}
