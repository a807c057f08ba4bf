package dev.ingot.compiler.ir;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A computation: named outputs plus in-place updates of parameters and state (the optimizer step).
 * Leaves (inputs, params, state) are found by walking back from the outputs.
 *
 * @param name     entry point name, e.g. {@code predict}, {@code train_step}
 * @param outputs  named results, in order
 * @param updates  {@code target <- value} assignments applied after everything else is computed
 */
public record Graph(String name, List<Output> outputs, List<Update> updates) {
    public record Output(String name, Node node) {}

    /** After the step, leaf {@code target} (a param or state) holds {@code value}. */
    public record Update(Node target, Node value) {}

    public Graph {
        outputs = List.copyOf(outputs);
        updates = List.copyOf(updates);
    }

    public Node output(String n) {
        for (Output o : outputs) if (o.name().equals(n)) return o.node();
        throw new IllegalArgumentException("no output " + n);
    }

    /** The roots every pass must keep: outputs, update values and update targets. */
    public List<Node> roots() {
        List<Node> r = new ArrayList<>();
        for (Output o : outputs) r.add(o.node());
        for (Update u : updates) {
            r.add(u.value());
            r.add(u.target());
        }
        return r;
    }

    /** All reachable nodes, inputs before users (ascending id, which is creation order). */
    public List<Node> topo() {
        Map<Node, Boolean> seen = new IdentityHashMap<>();
        List<Node> stack = new ArrayList<>(roots());
        List<Node> all = new ArrayList<>();
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            if (seen.put(n, Boolean.TRUE) != null) continue;
            all.add(n);
            stack.addAll(n.inputs());
        }
        all.sort(Comparator.comparingInt(Node::id));
        return all;
    }

    /** Leaves of a given op (e.g. {@code Ops.PARAM}), in id order. */
    public List<Node> leaves(dev.ingot.compiler.ops.Op op) {
        List<Node> r = new ArrayList<>();
        for (Node n : topo()) if (n.op() == op) r.add(n);
        return r;
    }

    /** Users of each node within this graph. */
    public Map<Node, List<Node>> users() {
        Map<Node, List<Node>> u = new IdentityHashMap<>();
        for (Node n : topo()) for (Node i : n.inputs()) u.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
        return u;
    }

    @Override public String toString() { return IrPrinter.print(this); }
}
