package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ScanBody;

/**
 * Runs the loop-body cleanups ({@link Pipelines#loopBody}) inside every {@code scan}: each body is
 * simplified, folded and deduplicated as a graph of its own (its outputs, in order, are all kept),
 * and the scan gets the cleaned body. Last step of the pipelines, so the scheduler plans loop bodies
 * as they are, like any other graph.
 */
public final class CleanScanBodies implements Pass {
    public String name() { return "clean-scan-bodies"; }

    public Graph run(Graph g, PassContext cx) {
        if (g.topo().stream().noneMatch(n -> n.op() == Ops.SCAN)) return g;
        int[] changed = {0};
        Graph r = Rewriter.rebuild(g, (b, old, ins) -> {
            if (old.op() != Ops.SCAN) return null;
            ScanBody body = (ScanBody) old.attrs().map().get("body");
            Graph clean = PassManager.run(Pipelines.loopBody(), body.graph(), PassContext.test());
            if (clean == body.graph()) return null;
            changed[0]++;
            ScanBody nb = new ScanBody(clean, body.carries(), body.xs(), body.consts(), body.grad(), body.inputTypes());
            Node n = b.node(old.op(), ins, old.attrs().with("body", nb));
            n.hint(old.hint());
            return n;
        }).graph();
        cx.count(name(), changed[0]);
        return changed[0] == 0 ? g : r;
    }
}
