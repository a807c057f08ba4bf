package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ops.Op;
import dev.ingot.compiler.ops.Ops;
import java.util.List;
import java.util.Set;

/**
 * Common subexpression elimination.
 * <p>Most CSE is free: {@link dev.ingot.compiler.ir.GraphBuilder} interns structurally equal nodes.
 * This pass catches what became equal only after other rewrites, by rebuilding the graph through a
 * fresh builder, and it puts the operands of commutative ops in a canonical order (by id) so that
 * {@code a + b} and {@code b + a} merge.
 */
public final class CommonSubexprElimination implements Pass {
    private static final Set<Op> COMMUTATIVE = Set.of(Ops.ADD, Ops.MUL, Ops.MAXIMUM, Ops.MINIMUM, Ops.EQ, Ops.NE);

    public String name() { return "cse"; }

    public Graph run(Graph g, PassContext cx) {
        var r = Rewriter.rebuild(g, (b, old, ins) -> {
            if (COMMUTATIVE.contains(old.op()) && ins.get(0).id() > ins.get(1).id())
                return b.node(old.op(), List.of(ins.get(1), ins.get(0)), old.attrs());
            return null;
        });
        // Swapping operands alone is not a change worth another round unless it merged something.
        if (r.builder().merges() == 0 && !swappedAny(g)) return g;
        cx.count("cse.merged", r.builder().merges());
        return r.graph();
    }

    private static boolean swappedAny(Graph g) {
        for (Node n : g.topo()) if (COMMUTATIVE.contains(n.op()) && n.in(0).id() > n.in(1).id()) return true;
        return false;
    }
}
