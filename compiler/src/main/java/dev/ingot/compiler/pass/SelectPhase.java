package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ops.Ops;

/**
 * {@code phase(training, inference) -> training} in the training step, {@code -> inference} in
 * predict and evaluate: dropout and batch norm behave as a Keras or PyTorch user expects, and
 * predict always runs in inference mode. Runs first in every pipeline.
 */
public final class SelectPhase implements Pass {
    private final boolean training;

    public SelectPhase(boolean training) { this.training = training; }

    public String name() { return training ? "select-training" : "select-inference"; }

    public Graph run(Graph g, PassContext cx) {
        return Rewriter.rewrite(g, (b, old, ins) -> old.op() == Ops.PHASE ? ins.get(training ? 0 : 1) : null);
    }
}
