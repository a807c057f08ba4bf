package dev.ingot.compiler.fusion;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Elementwise;
import dev.ingot.compiler.ops.Leaf;
import dev.ingot.compiler.ops.Library;
import dev.ingot.compiler.ops.Movement;
import dev.ingot.compiler.ops.Reduction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Groups the nodes of a graph into kernels and orders them.
 *
 * <p>Algorithm:
 * <ol>
 *   <li>Bundle elementwise nodes, visiting them from the outputs backwards: a node joins the bundle
 *       of its users when all its users are in one bundle of the same shape (so its value never
 *       needs memory), otherwise it starts a bundle. Bundles are capped at {@link #MAX_MEMBERS}
 *       nodes so their methods stay far below the JIT's 8000-byte limit.</li>
 *   <li>Every reduction, library call and non-alias movement is a kernel of its own; reshapes are
 *       aliases and cost nothing.</li>
 *   <li>Order kernels topologically, by data dependence plus one extra rule for in-place updates:
 *       the kernel that writes a parameter's (or state's) new value runs after every kernel that
 *       reads the old value.</li>
 * </ol>
 */
public final class FusionPlanner {
    static final int MAX_MEMBERS = 48;

    private FusionPlanner() {}

    /** The kernels of a graph, in execution order. */
    public static List<Kernel> plan(Graph g) {
        List<Node> topo = g.topo();
        Map<Node, List<Node>> users = g.users();
        Set<Node> roots = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Graph.Output o : g.outputs()) roots.add(o.node());
        for (Graph.Update u : g.updates()) roots.add(u.value());

        // 1. bundle elementwise nodes, from the outputs backwards
        Map<Node, Integer> group = new IdentityHashMap<>();
        List<List<Node>> groups = new ArrayList<>();
        for (int i = topo.size() - 1; i >= 0; i--) {
            Node n = topo.get(i);
            if (!(n.op() instanceof Elementwise)) continue;
            Integer target = null;
            boolean ok = true;
            for (Node u : users.getOrDefault(n, List.of())) {
                Integer gu = group.get(u);
                if (gu == null || !u.shape().equals(n.shape()) || (target != null && !target.equals(gu))) {
                    ok = false;
                    break;
                }
                target = gu;
            }
            if (ok && target != null && groups.get(target).size() < MAX_MEMBERS) {
                group.put(n, target);
                groups.get(target).add(n);
            } else {
                group.put(n, groups.size());
                List<Node> fresh = new ArrayList<>();
                fresh.add(n);
                groups.add(fresh);
            }
        }

        // 2. kernels
        List<Kernel> kernels = new ArrayList<>();
        Map<Node, Kernel> producer = new IdentityHashMap<>();
        for (List<Node> members : groups) {
            members.sort((a, b) -> Integer.compare(a.id(), b.id()));
            Set<Node> in = Collections.newSetFromMap(new IdentityHashMap<>());
            in.addAll(members);
            List<Node> stores = new ArrayList<>();
            Set<Node> reads = new LinkedHashSet<>();
            for (Node m : members) {
                boolean escapes = roots.contains(m);
                for (Node u : users.getOrDefault(m, List.of())) escapes |= !in.contains(u);
                if (escapes) stores.add(m);
                for (Node x : m.inputs()) if (!in.contains(x)) reads.add(x);
            }
            Kernel k = new Kernel.Fused(List.copyOf(members), stores, new ArrayList<>(reads), members.get(members.size() - 1).shape());
            kernels.add(k);
            for (Node m : members) producer.put(m, k);
        }
        for (Node n : topo) {
            Kernel k = null;
            if (n.op() instanceof Reduction) k = new Kernel.Reduce(n);
            else if (n.op() instanceof Library || (n.op() instanceof Movement mv && !mv.isAlias())) k = new Kernel.Call(n);
            else if (!(n.op() instanceof Elementwise) && !(n.op() instanceof Leaf) && !(n.op() instanceof Movement))
                throw new IllegalStateException("no kernel for " + n);
            if (k != null) {
                kernels.add(k);
                producer.put(n, k);
            }
        }
        return order(g, kernels, producer);
    }

    /** Topological order of kernels (Kahn), ties broken by the id of their first member. */
    private static List<Kernel> order(Graph g, List<Kernel> kernels, Map<Node, Kernel> producer) {
        Map<Kernel, Set<Kernel>> after = new IdentityHashMap<>();   // k -> kernels that must run after k
        Map<Kernel, Integer> pending = new IdentityHashMap<>();
        for (Kernel k : kernels) {
            after.put(k, Collections.newSetFromMap(new IdentityHashMap<>()));
            pending.put(k, 0);
        }
        // data dependences (through aliases: a reshape's value is its input's buffer)
        for (Kernel k : kernels)
            for (Node r : k.reads()) {
                Kernel p = producer.get(base(r));
                if (p != null && p != k) after.get(p).add(k);
            }
        // in-place updates: every reader of a target's old value runs before the writer of its new value
        for (Graph.Update u : g.updates()) {
            Kernel writer = producer.get(u.value());
            if (writer == null) throw new IllegalStateException("update of " + u.target() + " with a value no kernel computes: " + u.value());
            for (Kernel k : kernels) if (k != writer && readsBase(k, u.target())) after.get(k).add(writer);
        }
        for (Kernel k : kernels) for (Kernel s : after.get(k)) pending.merge(s, 1, Integer::sum);
        PriorityQueue<Kernel> ready = new PriorityQueue<>((a, b) -> Integer.compare(a.members().get(0).id(), b.members().get(0).id()));
        for (Kernel k : kernels) if (pending.get(k) == 0) ready.add(k);
        List<Kernel> out = new ArrayList<>();
        while (!ready.isEmpty()) {
            Kernel k = ready.poll();
            out.add(k);
            for (Kernel s : after.get(k)) if (pending.merge(s, -1, Integer::sum) == 0) ready.add(s);
        }
        if (out.size() != kernels.size()) throw new IllegalStateException("kernel dependence cycle in " + g.name());
        return out;
    }

    private static boolean readsBase(Kernel k, Node target) {
        for (Node r : k.reads()) if (base(r) == target) return true;
        return false;
    }

    /** The node whose buffer holds {@code n}'s value: through reshapes (aliases) to the real producer. */
    public static Node base(Node n) {
        while (n.op() instanceof Movement m && m.isAlias()) n = n.in(0);
        return n;
    }
}
