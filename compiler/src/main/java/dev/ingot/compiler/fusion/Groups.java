package dev.ingot.compiler.fusion;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Elementwise;
import dev.ingot.compiler.ops.FusionKind;
import dev.ingot.compiler.ops.Ops;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kernel graph while fusion builds it: every computing node starts in a group of its own (a
 * scan together with its result projections), with an edge from group A to group B when B must run
 * after A: B reads a value A computes (through reshapes, which are aliases), or B writes the new
 * value of a parameter or state that A reads the old value of (in-place update).
 *
 * <p>Merging two groups is allowed only when it keeps this graph acyclic, checked as the merge
 * happens ({@link #canMerge}): there must be no path between them through a third group. So the
 * planner cannot create a dependence cycle, whatever order it tries merges in.
 */
final class Groups {
    private final Map<Node, Integer> groupOf = new IdentityHashMap<>();
    private final List<List<Node>> members = new ArrayList<>();
    private final List<Set<Integer>> succ = new ArrayList<>();
    private final List<Set<Integer>> pred = new ArrayList<>();

    Groups(Graph g, List<Node> topo, Map<Node, List<Node>> users) {
        for (Node n : topo) {
            if (!computes(n)) continue;
            if (n.op() == Ops.SCAN_OUT) continue;
            add(n);
        }
        for (Node n : topo) if (n.op() == Ops.SCAN_OUT) join(n, groupOf.get(n.in(0)));
        for (Node n : topo) {
            Integer to = groupOf.get(n);
            if (to == null || n.op() == Ops.SCAN_OUT) continue;
            for (Node i : n.inputs()) edge(groupOf.get(FusionPlanner.base(i)), to);
        }
        // in-place updates: every reader of a target's old value runs before the writer of its new value
        for (Graph.Update u : g.updates()) {
            Integer writer = groupOf.get(u.value());
            if (writer == null) continue;
            for (Node r : users.getOrDefault(u.target(), List.of())) readers(r, users, writer);
        }
    }

    /** Adds edges reader -> writer for {@code r} and, through reshapes of the target, for their readers. */
    private void readers(Node r, Map<Node, List<Node>> users, int writer) {
        if (r.op().fusionKind() == FusionKind.ALIAS) {
            for (Node u : users.getOrDefault(r, List.of())) readers(u, users, writer);
            return;
        }
        edge(groupOf.get(r), writer);
    }

    /** Nodes that some kernel computes (not leaves, not reshapes). */
    static boolean computes(Node n) {
        FusionKind k = n.op().fusionKind();
        return k != FusionKind.LEAF && k != FusionKind.ALIAS;
    }

    private void add(Node n) {
        groupOf.put(n, members.size());
        List<Node> l = new ArrayList<>();
        l.add(n);
        members.add(l);
        succ.add(new LinkedHashSet<>());
        pred.add(new LinkedHashSet<>());
    }

    private void join(Node n, int group) {
        groupOf.put(n, group);
        members.get(group).add(n);
    }

    private void edge(Integer from, Integer to) {
        if (from == null || from.equals(to)) return;
        succ.get(from).add(to);
        pred.get(to).add(from);
    }

    int of(Node n) { return groupOf.get(n); }

    int size(int group) { return members.get(group).size(); }

    /**
     * Whether groups a and b together stay within a kernel's size limits: at most {@link FusionPlanner#MAX_MEMBERS}
     * nodes and {@link FusionPlanner#MAX_HEAVY} heavy ones ({@link Elementwise#heavy}), not counting heavy nodes of
     * shape {@code scalars} (a row kernel's per-row scalars, computed with scalar code; null for none).
     */
    boolean fitTogether(int a, int b, Shape scalars) {
        return size(a) + size(b) <= FusionPlanner.MAX_MEMBERS && heavy(a, scalars) + heavy(b, scalars) <= FusionPlanner.MAX_HEAVY;
    }

    private int heavy(int group, Shape scalars) {
        int h = 0;
        for (Node n : members.get(group)) if (n.op() instanceof Elementwise e && e.heavy() && !n.shape().equals(scalars)) h++;
        return h;
    }

    /** The smallest node id in a group (for deterministic tie-breaking). */
    int first(int group) {
        int m = Integer.MAX_VALUE;
        for (Node n : members.get(group)) m = Math.min(m, n.id());
        return m;
    }

    /**
     * Whether merging groups a and b keeps the graph acyclic (no path between them through another group) and no
     * member of the merged group reads another through a reshape: a reshape is an alias of its input's buffer, read
     * from memory with its own indexing, which the merged kernel would read before it stores it (found by the random
     * graph test: {@code minimum(t, reshape(t))} with {@code t = tanh(...)} of shape [1, 1]).
     */
    boolean canMerge(int a, int b) {
        return !reachesIndirectly(a, b) && !reachesIndirectly(b, a) && !readsThroughAlias(a, b);
    }

    private boolean readsThroughAlias(int a, int b) {
        java.util.Set<Node> both = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        both.addAll(members.get(a));
        both.addAll(members.get(b));
        for (Node m : both)
            for (Node i : m.inputs())
                if (i != FusionPlanner.base(i) && both.contains(FusionPlanner.base(i))) return true;
        return false;
    }

    private boolean reachesIndirectly(int from, int to) {
        BitSet seen = new BitSet();
        List<Integer> stack = new ArrayList<>();
        for (int s : succ.get(from)) if (s != to) stack.add(s);
        while (!stack.isEmpty()) {
            int x = stack.remove(stack.size() - 1);
            if (x == to) return true;
            if (seen.get(x)) continue;
            seen.set(x);
            stack.addAll(succ.get(x));
        }
        return false;
    }

    /** Moves group {@code a} into group {@code b}. */
    void merge(int a, int b) {
        if (a == b) return;
        for (Node n : members.get(a)) join(n, b);
        members.get(a).clear();
        for (int s : succ.get(a)) {
            pred.get(s).remove(a);
            edge(b, s);
        }
        for (int p : pred.get(a)) {
            succ.get(p).remove(a);
            edge(p, b);
        }
        succ.get(a).clear();
        pred.get(a).clear();
        succ.get(b).remove(b);
        pred.get(b).remove(b);
    }

    /** The members of a group. */
    List<Node> members(int group) { return members.get(group); }

    /** The member lists of the row groups (a reduction with other members), in creation order. */
    List<List<Node>> rows() {
        List<List<Node>> r = new ArrayList<>();
        for (List<Node> m : members)
            if (m.size() > 1 && m.stream().anyMatch(n -> n.op().fusionKind() == FusionKind.REDUCTION)) r.add(new ArrayList<>(m));
        return r;
    }

    /** The ids of the non-empty groups made of elementwise nodes only, in creation order. */
    List<Integer> elementwiseIds() {
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < members.size(); i++)
            if (!members.get(i).isEmpty() && members.get(i).stream().allMatch(FusionPlanner::loopFused)) r.add(i);
        return r;
    }

    /** The member lists of the groups made of elementwise nodes only, in creation order. */
    List<List<Node>> elementwise() {
        List<List<Node>> r = new ArrayList<>();
        for (List<Node> m : members)
            if (!m.isEmpty() && m.stream().allMatch(FusionPlanner::loopFused)) r.add(new ArrayList<>(m));
        return r;
    }
}
