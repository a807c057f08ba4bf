package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ops.Ops;

/**
 * {@code stop_gradient(x) -> x}. It only marks where autodiff must not go, so once gradients exist
 * (or in an inference graph) it is removed, letting fusion see through it.
 */
public final class StripStopGradient implements Pass {
    public String name() { return "strip-stop-gradient"; }

    public Graph run(Graph g, PassContext cx) {
        return Rewriter.rewrite(g, (b, old, ins) -> old.op() == Ops.STOP_GRADIENT ? ins.get(0) : null);
    }
}
