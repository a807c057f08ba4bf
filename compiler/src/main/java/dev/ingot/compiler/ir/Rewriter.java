package dev.ingot.compiler.ir;

import dev.ingot.compiler.ops.Leaf;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a graph bottom-up through a fresh {@link GraphBuilder}, letting a rule replace nodes.
 * Interning in the fresh builder merges nodes that became equal, so every rebuild is also a CSE.
 * Returns the original graph (same instance) when no rule fired and nothing merged, which is how
 * passes report "no change".
 */
public final class Rewriter {
    private Rewriter() {}

    /** A local rewrite: given the old node and its already-rebuilt inputs, return a replacement or null to keep it. */
    @FunctionalInterface
    public interface Rule {
        Node apply(GraphBuilder b, Node old, List<Node> newInputs);
    }

    /** The result of a rebuild: the new graph, the builder holding it, and old-to-new node mapping. */
    public record Rebuilt(Graph graph, GraphBuilder builder, Map<Node, Node> map, int fired) {
        public boolean changed() { return fired > 0 || builder.merges() > 0; }
    }

    public static Rebuilt rebuild(Graph g, Rule rule) {
        GraphBuilder b = new GraphBuilder();
        Map<Node, Node> map = new IdentityHashMap<>();
        int fired = 0;
        for (Node n : g.topo()) {
            List<Node> ins = new ArrayList<>(n.inputs().size());
            for (Node i : n.inputs()) ins.add(map.get(i));
            Provenance old = b.at(n.prov());
            Node r = rule == null ? null : rule.apply(b, n, ins);
            if (r == null) {
                r = b.node(n.op(), ins, n.attrs());
                r.hint(n.hint());
            } else fired++;
            b.at(old);
            map.put(n, r);
        }
        List<Graph.Output> outs = new ArrayList<>();
        for (Graph.Output o : g.outputs()) outs.add(new Graph.Output(o.name(), map.get(o.node())));
        List<Graph.Update> ups = new ArrayList<>();
        for (Graph.Update u : g.updates()) ups.add(new Graph.Update(map.get(u.target()), map.get(u.value())));
        return new Rebuilt(new Graph(g.name(), outs, ups), b, map, fired);
    }

    /**
     * Rebuilds {@code g} with the uses of some values read from another value instead: each key of {@code anchorOf}
     * is, in every user that {@code keeps} does not exempt and that comes after the key's anchor (the map's value),
     * replaced by {@code replacement(builder, rebuilt anchor)}. ReLU's mask read from its output, softmax's
     * exponentials from its output and sums. Returns {@code g} itself when no use changed; {@code changed[0]} counts
     * the users rewritten.
     */
    public static Graph readFromAnchor(Graph g, Map<Node, Node> anchorOf, java.util.function.BiPredicate<Node, Node> keeps,
                                       GraphBuilderFn replacement, int[] changed) {
        Map<Node, Node> rebuilt = new IdentityHashMap<>();
        java.util.Set<Node> anchors = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        anchors.addAll(anchorOf.values());
        Graph r = rebuild(g, (b, old, ins) -> {
            boolean any = false;
            for (int i = 0; i < ins.size(); i++) {
                Node anchor = anchorOf.get(old.in(i));
                if (anchor == null || keeps.test(old, anchor) || !rebuilt.containsKey(anchor)) continue;
                ins.set(i, replacement.apply(b, rebuilt.get(anchor)));
                any = true;
            }
            if (!any && !anchors.contains(old)) return null;
            Node n = b.node(old.op(), ins, old.attrs());
            n.hint(old.hint());
            if (anchors.contains(old)) rebuilt.put(old, n);
            if (any) changed[0]++;
            return n;
        }).graph();
        return changed[0] == 0 ? g : r;
    }

    /** How a replacement is built from the rebuilt anchor. */
    @FunctionalInterface
    public interface GraphBuilderFn {
        Node apply(GraphBuilder b, Node anchor);
    }

    /** Applies a rule; returns {@code g} itself when nothing changed. */
    public static Graph rewrite(Graph g, Rule rule) {
        Rebuilt r = rebuild(g, rule);
        return r.changed() ? r.graph() : g;
    }

    /** Finds a leaf (input, param or state) by name. */
    public static Node leaf(Graph g, String name) {
        for (Node n : g.topo()) if (n.op() instanceof Leaf && n.attrs().has("name") && n.attrs().s("name").equals(name)) return n;
        return null;
    }
}
