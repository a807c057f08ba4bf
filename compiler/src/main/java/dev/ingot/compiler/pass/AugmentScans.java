package dev.ingot.compiler.pass;

import dev.ingot.compiler.autodiff.ScanGrad;
import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ScanBody;

/**
 * Before autodiff in a training graph: every scan gets the augmented body of {@link ScanGrad}
 * (emitting the residuals its gradient needs), so the forward loop runs once and its gradient can
 * be built from its results. Projections keep their indices; the residual outputs are appended.
 */
public final class AugmentScans implements Pass {
    public String name() { return "augment-scans"; }

    public Graph run(Graph g, PassContext cx) {
        return Rewriter.rewrite(g, (b, old, ins) -> {
            if (old.op() != Ops.SCAN) return null;
            ScanBody body = (ScanBody) old.attrs().map().get("body");
            if (body.grad() != null) return null;
            Attrs a = old.attrs().with("body", ScanGrad.augment(body));
            return b.node(Ops.SCAN, ins, a);
        });
    }
}
