package dev.ingot.compiler.fusion;

import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Elementwise;
import dev.ingot.compiler.ops.FusionKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Row fusion: a reduction over the last axis of {@code S = [..., R]} (keeping it as 1) joins the
 * elementwise nodes that produce its input and consume its result, and other such reductions over
 * the same rows, when every member has shape {@code S} or {@code [..., 1]}. Softmax, log-softmax,
 * softmax cross-entropy and layer norm become one kernel per row ({@link Kernel.Rows}) instead of
 * one per step. Merges go through {@link Groups#canMerge}, so the kernel graph stays acyclic.
 */
final class Rows {
    private Rows() {}

    /** A reduction of its input's last axis only, keeping it, over a row of static length above 1. */
    static boolean rowReduction(Node n) {
        if (n.op().fusionKind() != FusionKind.REDUCTION) return false;
        Shape s = n.in(0).shape();
        int[] axes = n.attrs().ints("axes");
        return s.rank() >= 1 && axes.length == 1 && axes[0] == s.rank() - 1 && n.attrs().b("keepdims")
                && s.dim(-1) != Shape.BATCH && s.dim(-1) > 1;
    }

    /** {@code S} with its last dimension 1: the shape of a row's scalars. */
    static Shape scalarShape(Shape row) { return row.with(row.rank() - 1, 1); }

    private static boolean fits(Node m, Shape row) {
        if (rowReduction(m)) return m.in(0).shape().equals(row);
        if (!FusionPlanner.loopFused(m) || (m.op() instanceof Elementwise e && e.indexed())) return false;
        return m.shape().equals(row) || m.shape().equals(scalarShape(row));
    }

    private static boolean fits(List<Node> group, Shape row) {
        for (Node m : group) if (!fits(m, row)) return false;
        return true;
    }

    /** Grows a row group around every row reduction, along producer and consumer edges, until nothing more fits. */
    static void merge(List<Node> topo, Map<Node, List<Node>> users, Groups groups) {
        for (Node r : topo) {
            if (!rowReduction(r)) continue;
            Shape row = r.in(0).shape();
            boolean changed = true;
            while (changed) {
                changed = false;
                int g = groups.of(r);
                if (!fits(groups.members(g), row)) break;
                List<Node> neighbours = new ArrayList<>();
                for (Node m : groups.members(g)) {
                    for (Node i : m.inputs()) if (Groups.computes(FusionPlanner.base(i)) && FusionPlanner.base(i) == i) neighbours.add(i);
                    neighbours.addAll(users.getOrDefault(m, List.of()));
                }
                for (Node n : neighbours) {
                    if (!Groups.computes(n)) continue;
                    int other = groups.of(n);
                    if (other == g || !fits(groups.members(other), row)) continue;
                    if (!groups.fitTogether(g, other, scalarShape(row)) || !groups.canMerge(other, g)) continue;
                    groups.merge(other, g);
                    changed = true;
                    break;
                }
            }
        }
    }

    /** The kernel of a row group: phases, stores (escaping values and row values a later phase reads) and reads. */
    static Kernel.Rows kernel(List<Node> members, Map<Node, List<Node>> users, Set<Node> roots) {
        members.sort((a, b) -> Integer.compare(a.id(), b.id()));
        Set<Node> in = Collections.newSetFromMap(new IdentityHashMap<>());
        in.addAll(members);
        Shape row = null;
        for (Node m : members) if (rowReduction(m)) row = m.in(0).shape();
        Map<Node, Integer> phase = new IdentityHashMap<>();
        for (Node m : members) {
            int p = 0;
            for (Node i : m.inputs()) if (in.contains(i)) p = Math.max(p, phase.get(i));
            phase.put(m, rowReduction(m) ? p + 1 : p);
        }
        List<Node> stores = new ArrayList<>();
        Set<Node> reads = new LinkedHashSet<>();
        for (Node m : members) {
            boolean store = roots.contains(m);
            boolean isRow = m.shape().equals(row) && !rowReduction(m);
            for (Node u : users.getOrDefault(m, List.of())) {
                if (!in.contains(u)) store = true;
                else if (isRow && !rowReduction(u) && u.shape().equals(row) && phase.get(u) > phase.get(m)) store = true;
            }
            if (store) stores.add(m);
            for (Node x : m.inputs()) if (!in.contains(x)) reads.add(x);
        }
        return new Kernel.Rows(List.copyOf(members), stores, new ArrayList<>(reads), row, phase);
    }
}
