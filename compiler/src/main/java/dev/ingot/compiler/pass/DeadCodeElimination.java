package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Rewriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Dead code elimination.
 * <p>A graph holds only what its roots reach, so dead nodes are those no kept root needs. This pass
 * (1) drops outputs not in the requested set (e.g. gradients once the optimizer consumed them, or
 * the loss in a predict graph), (2) drops updates that assign a value to itself, and (3) rebuilds
 * the graph so that nodes only the dropped roots reached disappear.
 */
public final class DeadCodeElimination implements Pass {
    private final Set<String> keep;

    /** @param keep names of outputs to keep; null keeps all outputs */
    public DeadCodeElimination(Set<String> keep) { this.keep = keep; }
    public DeadCodeElimination() { this(null); }

    public String name() { return "dce"; }

    public Graph run(Graph g, PassContext cx) {
        List<Graph.Output> outs = new ArrayList<>();
        for (Graph.Output o : g.outputs()) if (keep == null || keep.contains(o.name())) outs.add(o);
        List<Graph.Update> ups = new ArrayList<>();
        for (Graph.Update u : g.updates()) if (u.value() != u.target()) ups.add(u);
        int dropped = g.outputs().size() - outs.size() + g.updates().size() - ups.size();
        if (dropped == 0) return g;
        cx.count("dce.roots", dropped);
        return Rewriter.rebuild(new Graph(g.name(), outs, ups), null).graph();
    }
}
