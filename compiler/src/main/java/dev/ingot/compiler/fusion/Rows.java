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
                // NOTE: a polynomial a row reduction sums is stored, so that its loop has no accumulator beside it
                // (a method of its own; the reduction then reads it back): a log-sum-exp's exp next to its vector sum
                // left JDK 17's C2 boxing vectors (see RowEmitter). Its buffer is usually a later value's (shares).
                else if (isRow && rowReduction(u) && Recompute.heavy(m)) store = true;
            }
            if (store) stores.add(m);
            for (Node x : m.inputs()) if (!in.contains(x)) reads.add(x);
        }
        return new Kernel.Rows(List.copyOf(members), stores, new ArrayList<>(reads), row, phase, shares(stores, row, phase, in, users, roots));
    }

    /** Whether row values stored only for a later phase share buffers ({@link #shares}); off with -Dingot.rows.share=false. */
    static final boolean SHARE = !"false".equals(System.getProperty("ingot.rows.share"));

    /**
     * Row values this kernel stores only because a later phase reads them again (softmax's masked scores and its
     * exponentials), mapped to the stored value whose buffer they use: a value {@code t} hands its buffer on to a value
     * {@code m} written in a phase after every read of {@code t}, or in the phase of its last reads when those are
     * elementwise (a phase loads its operands at an index before it stores there). Softmax's three row tensors then
     * take one buffer, its output's: one row of it in cache instead of three tensors written to memory. Values read
     * outside the kernel keep their own buffers, and a chain ends at its last value, which owns the buffer.
     */
    static Map<Node, Node> shares(List<Node> stores, Shape row, Map<Node, Integer> phase, Set<Node> in,
                                  Map<Node, List<Node>> users, Set<Node> roots) {
        Map<Node, Node> shares = new IdentityHashMap<>();
        if (!SHARE) return shares;
        List<List<Node>> chains = new ArrayList<>();
        for (Node m : stores) {
            if (!m.shape().equals(row) || rowReduction(m) || roots.contains(m)) continue;
            List<Node> joined = null;
            for (List<Node> c : chains) {
                Node t = c.get(c.size() - 1);
                if (t.dtype() == m.dtype() && internal(t, in, users) && freeBy(t, phase.get(m), phase, users)) {
                    joined = c;
                    break;
                }
            }
            if (joined != null) joined.add(m);
            else chains.add(new ArrayList<>(List.of(m)));
        }
        for (List<Node> c : chains)
            for (int i = 0; i < c.size() - 1; i++) shares.put(c.get(i), c.get(c.size() - 1));
        return shares;
    }

    private static boolean internal(Node t, Set<Node> in, Map<Node, List<Node>> users) {
        for (Node u : users.getOrDefault(t, List.of())) if (!in.contains(u)) return false;
        return true;
    }

    /** Whether every read of {@code t} in the kernel happens before a value of phase {@code p} is stored over it. */
    private static boolean freeBy(Node t, int p, Map<Node, Integer> phase, Map<Node, List<Node>> users) {
        for (Node u : users.getOrDefault(t, List.of())) {
            // a reduction accumulates in the loop of the phase before its own; a phase with a polynomial sums in a
            // second loop, after its first loop stored the phase's values: no reduction in phase p may read t
            int loop = rowReduction(u) ? phase.get(u) - 1 : phase.get(u);
            if (loop > p || (loop == p && rowReduction(u))) return false;
        }
        return true;
    }
}
