package dev.ingot.compiler.fusion;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Elementwise;
import dev.ingot.compiler.ops.Leaf;
import dev.ingot.compiler.ops.Library;
import dev.ingot.compiler.ops.Movement;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ScanBody;
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
            Integer target = pickGroup(n, users.getOrDefault(n, List.of()), group, groups, users);
            if (target != null) {
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
            if (n.op() == Ops.SCAN) {
                List<Node> projections = new ArrayList<>();
                for (Node u : users.getOrDefault(n, List.of())) if (u.op() == Ops.SCAN_OUT) projections.add(u);
                projections.sort((a, b) -> Integer.compare(a.attrs().i("index"), b.attrs().i("index")));
                Graph body = optimizeBody(((ScanBody) n.attrs().map().get("body")).graph());
                Kernel.Loop loop = new Kernel.Loop(n, projections, body, plan(body));
                kernels.add(loop);
                producer.put(n, loop);
                for (Node p : projections) producer.put(p, loop);
                continue;
            }
            if (n.op() == Ops.SCAN_OUT) continue;
            if (n.op() instanceof Reduction) k = new Kernel.Reduce(n);
            else if (n.op() instanceof Library || (n.op() instanceof Movement mv && !mv.isAlias())) k = new Kernel.Call(n);
            else if (!(n.op() instanceof Elementwise) && !(n.op() instanceof Leaf) && !(n.op() instanceof Movement))
                throw new IllegalStateException("no kernel for " + n);
            if (k != null) {
                kernels.add(k);
                producer.put(n, k);
            }
        }
        // 3. updates that cannot be written in place: the writer also reads the old value of another
        // target that a different kernel writes (x' = f(x, y), y' = g(x, y) in separate loops)
        List<Kernel> commits = new ArrayList<>();
        for (Graph.Update u : g.updates()) {
            Kernel w = producer.get(u.value());
            for (Graph.Update u2 : g.updates())
                if (u2 != u && producer.get(u2.value()) != w && w != null && readsBase(w, u2.target())) {
                    commits.add(new Kernel.Commit(u.value(), u.target()));
                    break;
                }
        }
        kernels.addAll(commits);
        return order(g, kernels, producer);
    }

    /** A loop body through the cleanups (its outputs, in order, are kept). */
    private static Graph optimizeBody(Graph body) {
        return dev.ingot.compiler.pass.PassManager.run(dev.ingot.compiler.pass.Pipelines.loopBody(), body, dev.ingot.compiler.pass.PassContext.test());
    }

    /** Updates whose new value goes through the arena and a {@link Kernel.Commit}. */
    public static Set<Node> committed(List<Kernel> kernels) {
        Set<Node> r = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Kernel k : kernels) if (k instanceof Kernel.Commit c) r.add(c.value());
        return r;
    }

    /**
     * The bundle {@code n} can join: the one holding most of its users, when it has n's shape, has
     * room, and joining keeps it convex: no user of n outside the bundle may lead back into it
     * (that would need the bundle to run both before and after that user). Users outside the bundle
     * then read n from memory: a multi-output bundle, e.g. a relu whose mask the backward pass reuses.
     */
    private static Integer pickGroup(Node n, List<Node> us, Map<Node, Integer> group, List<List<Node>> groups, Map<Node, List<Node>> users) {
        Map<Integer, Integer> votes = new java.util.HashMap<>();
        for (Node u : us) {
            Integer g = group.get(u);
            if (g != null && u.shape().equals(n.shape())) votes.merge(g, 1, Integer::sum);
        }
        // most votes first; on a tie, the bundle created last (the earliest in program order)
        List<Integer> candidates = new ArrayList<>(votes.keySet());
        candidates.sort((x, y) -> !votes.get(x).equals(votes.get(y)) ? votes.get(y) - votes.get(x) : y - x);
        for (Integer best : candidates) {
            List<Node> members = groups.get(best);
            if (members.size() >= MAX_MEMBERS) continue;
            Set<Node> in = Collections.newSetFromMap(new IdentityHashMap<>());
            in.addAll(members);
            int maxId = 0;
            for (Node m : members) maxId = Math.max(maxId, m.id());
            boolean convex = true;
            for (Node u : us) if (!in.contains(u) && reaches(u, in, maxId, new java.util.HashSet<>(), users, group, groups)) { convex = false; break; }
            if (convex) return best;
        }
        return null;
    }

    /**
     * Whether a path of users leads from {@code from} into {@code targets} (ids above {@code maxId} cannot),
     * where a node in a bundle also stands for the other members of its bundle (they run as one kernel:
     * joining n to X is not convex when the bundle of one of n's other users feeds X, even if that user
     * itself does not, e.g. relu(l) and log(1 + exp(-|l|)) in one bundle, the gradient of the second in X).
     */
    private static boolean reaches(Node from, Set<Node> targets, int maxId, Set<Integer> seen, Map<Node, List<Node>> users,
                                   Map<Node, Integer> group, List<List<Node>> groups) {
        if (targets.contains(from)) return true;
        if (!seen.add(from.id())) return false;
        Integer g = group.get(from);
        if (g != null) for (Node m : groups.get(g)) if (m != from && reaches(m, targets, maxId, seen, users, group, groups)) return true;
        if (from.id() > maxId) return false;
        for (Node u : users.getOrDefault(from, List.of())) if (reaches(u, targets, maxId, seen, users, group, groups)) return true;
        return false;
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
        Map<Node, Kernel> commitOf = new IdentityHashMap<>();
        for (Kernel k : kernels) if (k instanceof Kernel.Commit c) commitOf.put(c.value(), k);
        for (Graph.Update u : g.updates()) {
            Kernel writer = commitOf.getOrDefault(u.value(), producer.get(u.value()));
            if (writer == null) throw new IllegalStateException("update of " + u.target() + " with a value no kernel computes: " + u.value());
            for (Kernel k : kernels) if (k != writer && readsBase(k, u.target())) after.get(k).add(writer);
        }
        for (Kernel k : kernels) for (Kernel s : after.get(k)) pending.merge(s, 1, Integer::sum);
        // commits run last (after every reader), in update order
        PriorityQueue<Kernel> ready = new PriorityQueue<>((a, b) -> a instanceof Kernel.Commit != b instanceof Kernel.Commit
                ? (a instanceof Kernel.Commit ? 1 : -1) : Integer.compare(a.members().get(0).id(), b.members().get(0).id()));
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
