package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ScanBody;
import java.util.List;

/**
 * Per-step outputs of a {@code scan} that repeat another value stop being stacked separately: an output that is the
 * same body value as an earlier output reads that output's stack (a backward LSTM step returns its gate gradient
 * both as the input gradient and for the weight gradient after the loop: one [T, batch, 4H] stack and one copy per
 * step instead of two), and an output that passes a scanned input through unchanged is that input (its stack
 * already exists). The loop then copies and stores only the outputs something reads.
 */
public final class ShareScanOutputs implements Pass {
    public String name() { return "share-scan-outputs"; }

    public Graph run(Graph g, PassContext cx) {
        if (g.topo().stream().noneMatch(n -> n.op() == Ops.SCAN)) return g;
        int[] count = {0};
        Graph r = Rewriter.rebuild(g, (b, old, ins) -> {
            if (old.op() != Ops.SCAN_OUT) return null;
            Node scan = ins.get(0);
            ScanBody body = (ScanBody) scan.attrs().map().get("body");
            int j = old.attrs().i("index"), nc = body.carries();
            if (j < nc) return null;
            List<Graph.Output> outs = body.graph().outputs();
            Node y = outs.get(j).node();
            for (int i = nc; i < j; i++)
                if (outs.get(i).node() == y) {
                    count[0]++;
                    return b.node(Ops.SCAN_OUT, List.of(scan), old.attrs().with("index", i));
                }
            for (int m = 0; m < body.xs(); m++)
                if (y == body.leaf("x" + m) && scan.in(nc + m).type().equals(old.type())) {
                    count[0]++;
                    return scan.in(nc + m);
                }
            return null;
        }).graph();
        cx.count(name(), count[0]);
        return count[0] == 0 ? g : r;
    }
}
