package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import dev.ingot.compiler.ops.Leaf;
import dev.ingot.compiler.ops.Ops;
import java.util.ArrayList;
import java.util.List;

/**
 * Structural checks of a graph: every node's type is what its op infers from its inputs, inputs
 * come before users, update targets are params or state of the value's type, and no two leaves
 * share a name. {@link PassManager} runs it after each pass when assertions are on.
 */
public final class Verifier {
    private Verifier() {}

    public static void verify(Graph g) {
        List<Node> topo = g.topo();
        java.util.Map<String, Node> leaves = new java.util.HashMap<>();
        for (Node n : topo) {
            if (n.op() instanceof Leaf) {
                if (n.attrs().has("name")) {
                    Node prev = leaves.put(n.attrs().s("name"), n);
                    if (prev != null && prev != n) throw new IllegalStateException(g.name() + ": two leaves named " + n.attrs().s("name"));
                }
                continue;
            }
            List<TensorType> in = new ArrayList<>();
            for (Node i : n.inputs()) {
                if (i.id() >= n.id()) throw new IllegalStateException(g.name() + ": " + n + " uses later node " + i);
                in.add(i.type());
            }
            TensorType t = n.op().inferType(in, n.attrs());
            if (!t.equals(n.type())) throw new IllegalStateException(g.name() + ": " + n + " has type " + n.type() + " but its op infers " + t);
        }
        for (Graph.Update u : g.updates()) {
            if (u.target().op() != Ops.PARAM && u.target().op() != Ops.STATE)
                throw new IllegalStateException(g.name() + ": update of a non-param " + u.target());
            if (!u.target().type().equals(u.value().type()))
                throw new IllegalStateException(g.name() + ": update " + u.target() + " <- value of type " + u.value().type());
        }
    }
}
