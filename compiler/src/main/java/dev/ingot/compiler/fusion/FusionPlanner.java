package dev.ingot.compiler.fusion;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.FusionKind;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ScanBody;
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
 * <p>Algorithm, by the {@link FusionKind} each op declares:
 * <ol>
 *   <li>Bundle elementwise and broadcast nodes, visiting them from the outputs backwards: a node
 *       joins the bundle holding most of its users of the same shape when the merge keeps the kernel
 *       graph acyclic ({@link Groups}: checked at each merge, so no order of merges can create a
 *       dependence cycle), otherwise it starts a bundle. Bundles are capped at {@link #MAX_MEMBERS}
 *       nodes so their methods stay far below the JIT's 8000-byte limit, and at {@link #MAX_HEAVY} heavy op
 *       (exp, tanh, ...) so that C2 inlines its polynomial.</li>
 *   <li>Every reduction, library op and injective copy is a kernel of its own, a scan a loop kernel
 *       over its body's own plan; aliases (reshapes) and leaves cost nothing.</li>
 *   <li>Order kernels topologically, by data dependence plus one extra rule for in-place updates:
 *       the kernel that writes a parameter's (or state's) new value runs after every kernel that
 *       reads the old value.</li>
 * </ol>
 */
public final class FusionPlanner {
    static final int MAX_MEMBERS = 48;
    /**
     * Heavy ops ({@link dev.ingot.compiler.ops.Elementwise#heavy}: exp, sigmoid, tanh, log, erf) per kernel. Their
     * vector code is a polynomial of tens of Vector API operations ({@link dev.ingot.compiler.ops.VectorPolynomials},
     * the same bits in every JIT tier, unlike the Vector API's EXP/TANH). A kernel with several (the LSTM's gate
     * kernel had five) grows past the node budgets of C2's inlining, which then leaves vectors boxed (measured with
     * five polynomial calls: 66-90 MB of garbage per LSTM step). So each heavy op gets a kernel of its own, with the
     * cheap ops around it; the row kernels' per-row scalars (the log of log-softmax) are scalar code and do not count.
     */
    static final int MAX_HEAVY = 1;
    /** Whether fused kernels lift reads up elementwise chains ({@link Recompute#lift}); off with -Dingot.fusion.lift=false. */
    static final boolean LIFT = !"false".equals(System.getProperty("ingot.fusion.lift"));

    private FusionPlanner() {}

    /** The kernels of a graph, in execution order. */
    public static List<Kernel> plan(Graph g) { return plan(g, false); }

    /** {@link #plan}; {@code loopBody}: related kernels merge too ({@link #mergeRelated}). */
    private static List<Kernel> plan(Graph g, boolean loopBody) {
        // reading a leaf again (a parameter, the step counter) orders the reader before the leaf's
        // in-place writer; should that close a cycle, values are lifted no more (Recompute.lift), then
        // recomputed no more: read from memory
        for (Recomputing r : Recomputing.values())
            try {
                return plan(g, r, loopBody);
            } catch (CycleException e) {
                if (r == Recomputing.NONE) throw e;
            }
        throw new AssertionError();
    }

    /** What fused kernels compute again instead of reading ({@link Recompute}), most first. */
    private enum Recomputing { CONES_AND_LIFTS, CONES, NONE }

    private static List<Kernel> plan(Graph g, Recomputing recomputing, boolean loopBody) {
        return plan(g, recomputing != Recomputing.NONE, recomputing == Recomputing.CONES_AND_LIFTS && LIFT, loopBody);
    }

    /** Thrown by {@link #order} when kernels depend on each other in a cycle. */
    static final class CycleException extends IllegalStateException {
        CycleException(String m) { super(m); }
    }

    /** The kernels of a graph; {@code recompute}: fused kernels compute cheap values of leaves again ({@link Recompute}). */
    private static List<Kernel> plan(Graph g, boolean recompute, boolean lift, boolean loopBody) {
        List<Node> topo = g.topo();
        Map<Node, List<Node>> users = g.users();
        Set<Node> roots = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Graph.Output o : g.outputs()) roots.add(o.node());
        for (Graph.Update u : g.updates()) roots.add(u.value());

        // 1. one group per computing node, with the dependences between groups; then bundle
        // elementwise nodes, from the outputs backwards, merging only where the group graph stays acyclic
        Groups groups = new Groups(g, topo, users);
        for (int i = topo.size() - 1; i >= 0; i--) {
            Node n = topo.get(i);
            if (!loopFused(n)) continue;
            Integer target = pickGroup(n, users.getOrDefault(n, List.of()), groups);
            if (target != null) groups.merge(groups.of(n), target);
        }
        // 2. row kernels: reductions over the last axis join their producers and consumers of the same rows
        Rows.merge(topo, users, groups);
        // 2b. in a loop body, related elementwise kernels of one shape become one (a backward LSTM step's gate gradients)
        if (loopBody) mergeRelated(groups);

        // 3. kernels; slices read only by fused elementwise kernels are views those kernels read in place
        List<List<Node>> elementwise = groups.elementwise();
        Set<Node> views = views(topo, users, roots, elementwise);
        List<Kernel> kernels = new ArrayList<>();
        Map<Node, Kernel> producer = new IdentityHashMap<>();
        for (List<Node> members : groups.rows()) {
            Kernel k = Rows.kernel(members, users, roots);
            kernels.add(k);
            for (Node m : members) producer.put(m, k);
        }
        for (Kernel.Fused k : fused(elementwise, users, roots, recompute, lift, views)) {
            kernels.add(k);
            for (Node m : k.members()) if (!k.recomputed().contains(m)) producer.put(m, k);
        }
        for (Node n : topo) {
            Kernel k = switch (n.op().fusionKind()) {
                case LEAF, ALIAS, ELEMENTWISE, BROADCAST -> null;    // no kernel, or bundled above
                case REDUCTION -> producer.containsKey(n) ? null : new Kernel.Reduce(n);   // unless in a row kernel
                case LIBRARY, INJECTIVE -> views.contains(n) ? null : new Kernel.Call(n);
                case CONTROL -> n.op() == Ops.SCAN ? loop(n, users) : null;   // scan results belong to the loop
            };
            if (k == null) continue;
            kernels.add(k);
            producer.put(n, k);
            if (k instanceof Kernel.Loop loop) for (Node p : loop.projections()) producer.put(p, loop);
        }
        // 4. library kernels take their epilogues (bias, ReLU) from the fused kernels that read them
        Epilogues.attach(kernels, producer, users, roots);
        // 5. updates that cannot be written in place: the writer also reads the old value of another
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

    /**
     * The slices that need no kernel: every user is an elementwise node of a fused kernel (not a row kernel), and
     * the slice is no result; those kernels read the slice's input in place through strided indices (a view).
     */
    private static Set<Node> views(List<Node> topo, Map<Node, List<Node>> users, Set<Node> roots, List<List<Node>> elementwise) {
        Set<Node> fusedNodes = Collections.newSetFromMap(new IdentityHashMap<>());
        for (List<Node> m : elementwise) fusedNodes.addAll(m);
        Set<Node> r = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : topo) {
            if (n.op() != Ops.SLICE || roots.contains(n)) continue;
            Node src = base(n.in(0));
            if (src.op() == Ops.BATCH_SIZE || (src.op() == Ops.CONST && !src.attrs().has("values"))) continue;
            List<Node> us = users.getOrDefault(n, List.of());
            boolean all = !us.isEmpty();
            for (Node u : us) all &= fusedNodes.contains(u);
            if (all) r.add(n);
        }
        return r;
    }

    /**
     * Merges elementwise groups of one shape that are related: one reads a value the other computes, or both read a
     * common computed value (siblings). The vertical bundling of step 1 only moves a node into the group of its users,
     * so the consumers of a value with several users stay apart (each reading it from memory); merged, they are one
     * loop that loads it once. Merges respect the size limits and keep the kernel graph acyclic. Done in loop bodies,
     * where every kernel runs once per step (a call, and a fork-join when parallel, per kernel and step) and the
     * longer lifetimes of merged kernels' values cost only the body's small scratch; elsewhere (fewer, larger
     * kernels) merging kernels far apart in the order grew the arena (fashion_cnn: +14%).
     */
    private static void mergeRelated(Groups groups) {
        List<Integer> ids = groups.elementwiseIds();
        for (int x = 0; x < ids.size(); x++)
            for (int y = x + 1; y < ids.size(); y++) {
                int a = ids.get(x), b = ids.get(y);
                if (groups.size(a) == 0 || groups.size(b) == 0 || !shapeOf(groups, a).equals(shapeOf(groups, b))) continue;
                if (related(groups, a, b) && groups.fitTogether(a, b, null) && groups.canMerge(a, b)) groups.merge(b, a);
            }
    }

    private static Shape shapeOf(Groups groups, int g) { return groups.members(g).get(0).shape(); }

    /** Whether group b reads a value a computes or the reverse, or both read one value a kernel computes. */
    private static boolean related(Groups groups, int a, int b) {
        Set<Node> inA = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node m : groups.members(a)) for (Node i : m.inputs()) inA.add(base(i));
        for (Node m : groups.members(b)) {
            if (inA.contains(m)) return true;
            for (Node i : m.inputs()) {
                Node bi = base(i);
                if (Groups.computes(bi) && (inA.contains(bi) || groups.members(a).contains(bi))) return true;
            }
        }
        return false;
    }

    /** Ops computed inside fused loops (elementwise and broadcasts). */
    static boolean loopFused(Node n) {
        FusionKind k = n.op().fusionKind();
        return k == FusionKind.ELEMENTWISE || k == FusionKind.BROADCAST;
    }

    /** The loop kernel of a scan: its body (cleaned up by the CleanScanBodies pass) planned as kernels of their own. */
    private static Kernel.Loop loop(Node scan, Map<Node, List<Node>> users) {
        if (scan.op() != Ops.SCAN) throw new IllegalStateException("no kernel for control op " + scan);
        Graph body = ((ScanBody) scan.attrs().map().get("body")).graph();
        return new Kernel.Loop(scan, projections(scan, users), body, plan(body, true), List.of());
    }

    /** The projections of a scan's results, by result index. */
    private static List<Node> projections(Node scan, Map<Node, List<Node>> users) {
        List<Node> projections = new ArrayList<>();
        for (Node u : users.getOrDefault(scan, List.of())) if (u.op() == Ops.SCAN_OUT) projections.add(u);
        projections.sort((a, b) -> Integer.compare(a.attrs().i("index"), b.attrs().i("index")));
        return projections;
    }

    /** Updates whose new value goes through the arena and a {@link Kernel.Commit}. */
    public static Set<Node> committed(List<Kernel> kernels) {
        Set<Node> r = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Kernel k : kernels) if (k instanceof Kernel.Commit c) r.add(c.value());
        return r;
    }

    /**
     * The group {@code n} joins: the one holding most of its users, when it has n's shape, has room,
     * and the merge keeps the group graph acyclic (checked by {@link Groups#canMerge}). Users outside
     * the group then read n from memory: a multi-output kernel, e.g. a relu whose mask the backward
     * pass reuses.
     */
    private static Integer pickGroup(Node n, List<Node> us, Groups groups) {
        Map<Integer, Integer> votes = new java.util.HashMap<>();
        int own = groups.of(n);
        for (Node u : us) {
            if (!loopFused(u) || !u.shape().equals(n.shape())) continue;
            int gu = groups.of(u);
            if (gu != own) votes.merge(gu, 1, Integer::sum);
        }
        // most votes first; on a tie, the group whose first member comes first in program order
        List<Integer> candidates = new ArrayList<>(votes.keySet());
        candidates.sort((x, y) -> !votes.get(x).equals(votes.get(y)) ? votes.get(y) - votes.get(x) : Integer.compare(groups.first(x), groups.first(y)));
        for (Integer best : candidates)
            if (groups.fitTogether(best, own, null) && groups.canMerge(own, best)) return best;
        return null;
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
                ? (a instanceof Kernel.Commit ? 1 : -1) : Integer.compare(firstOwn(a), firstOwn(b)));
        for (Kernel k : kernels) if (pending.get(k) == 0) ready.add(k);
        List<Kernel> out = new ArrayList<>();
        while (!ready.isEmpty()) {
            Kernel k = ready.poll();
            out.add(k);
            for (Kernel s : after.get(k)) if (pending.merge(s, -1, Integer::sum) == 0) ready.add(s);
        }
        if (out.size() != kernels.size()) throw new CycleException("kernel dependence cycle in " + g.name());
        return out;
    }

    /** The id of a kernel's first member that it does not merely recompute. */
    private static int firstOwn(Kernel k) {
        for (Node m : k.members()) if (!(k instanceof Kernel.Fused f) || !f.recomputed().contains(m)) return m.id();
        return k.members().get(0).id();
    }

    /**
     * The fused kernels of the elementwise groups. With {@code recompute}, a kernel that reads a value
     * another group computes cheaply from leaves ({@link Recompute#cone}) computes it again instead;
     * a member is stored only when some reader still needs it from memory, and members nobody
     * needs any more are dropped (a kernel left with nothing to store disappears).
     */
    private static List<Kernel.Fused> fused(List<List<Node>> groups, Map<Node, List<Node>> users, Set<Node> roots, boolean recompute, boolean lift, Set<Node> views) {
        Map<Node, Integer> home = new IdentityHashMap<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            groups.get(gi).sort((a, b) -> Integer.compare(a.id(), b.id()));
            for (Node m : groups.get(gi)) home.put(m, gi);
        }
        List<Set<Node>> extra = new ArrayList<>();
        for (List<Node> members : groups) {
            Set<Node> own = Collections.newSetFromMap(new IdentityHashMap<>());
            own.addAll(members);
            Set<Node> add = new LinkedHashSet<>();
            if (recompute) {
                Shape shape = members.get(members.size() - 1).shape();
                for (Node m : members)
                    for (Node x : m.inputs()) {
                        if (own.contains(x) || !home.containsKey(x)) continue;
                        Set<Node> cone = Recompute.cone(x, shape);
                        if (cone != null) for (Node c : cone) if (!own.contains(c)) add.add(c);
                    }
                if (lift) add.addAll(Recompute.lift(members, add, shape, home.keySet()));
            }
            extra.add(add);
        }
        // a value some group computes again from what it reads (Recompute.lift) is read from memory by that group
        Map<Node, Set<Integer>> readByExtra = new IdentityHashMap<>();
        for (int gi = 0; gi < groups.size(); gi++)
            for (Node c : extra.get(gi))
                for (Node x : c.inputs())
                    if (!extra.get(gi).contains(x) && !groups.get(gi).contains(x))
                        readByExtra.computeIfAbsent(x, k -> new java.util.HashSet<>()).add(gi);
        List<Kernel.Fused> out = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            List<Node> members = groups.get(gi);
            Set<Node> live = Collections.newSetFromMap(new IdentityHashMap<>());
            live.addAll(members);
            live.addAll(extra.get(gi));
            // stores: own members read from memory by some user (a user in a kernel that lacks them), or results
            List<Node> stores = new ArrayList<>();
            for (Node m : members) {
                boolean escapes = roots.contains(m);
                for (Node u : users.getOrDefault(m, List.of())) {
                    Integer hu = home.get(u);
                    escapes |= hu == null || (hu != gi && !extra.get(hu).contains(m));
                }
                for (int gj : readByExtra.getOrDefault(m, Set.of())) escapes |= gj != gi;
                if (escapes) stores.add(m);
            }
            Kernel.Fused k = fusedKernel(live, stores, members.get(members.size() - 1).shape(), extra.get(gi), users, views);
            if (k != null) out.add(k);
        }
        return out;
    }

    /**
     * The fused kernel computing {@code live} (in id order) and storing {@code stores}, after dropping
     * the members that no store and no other live member needs; null when it stores nothing. Members
     * in {@code recompute} are marked as recomputed; values in {@code views} (slices) are read as views of their
     * inputs.
     */
    static Kernel.Fused fusedKernel(Set<Node> live, List<Node> stores, Shape shape, Set<Node> recompute, Map<Node, List<Node>> users, Set<Node> views) {
        for (boolean changed = true; changed; ) {
            changed = false;
            for (java.util.Iterator<Node> it = live.iterator(); it.hasNext(); ) {
                Node m = it.next();
                if (stores.contains(m)) continue;
                boolean needed = false;
                for (Node u : users.getOrDefault(m, List.of())) needed |= live.contains(u);
                if (!needed) {
                    it.remove();
                    changed = true;
                }
            }
        }
        if (stores.isEmpty()) return null;
        List<Node> all = new ArrayList<>(live);
        all.sort((a, b) -> Integer.compare(a.id(), b.id()));
        Set<Node> reads = new LinkedHashSet<>();
        Set<Node> viewed = new LinkedHashSet<>();
        for (Node m : all)
            for (Node x : m.inputs()) {
                if (live.contains(x)) continue;
                if (views.contains(x)) {
                    viewed.add(x);
                    reads.add(x.in(0));
                } else reads.add(x);
            }
        List<Node> recomputed = new ArrayList<>();
        for (Node m : all) if (recompute.contains(m)) recomputed.add(m);
        return new Kernel.Fused(List.copyOf(all), stores, new ArrayList<>(reads), shape, List.copyOf(recomputed), List.copyOf(viewed));
    }

    private static boolean readsBase(Kernel k, Node target) {
        for (Node r : k.reads()) if (base(r) == target) return true;
        return false;
    }

    /** The node whose buffer holds {@code n}'s value: through reshapes (aliases) to the real producer. */
    public static Node base(Node n) {
        while (n.op().fusionKind() == FusionKind.ALIAS) n = n.in(0);
        return n;
    }
}
