package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ops.Ops;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Softmax's backward pass reads the softmax's output instead of its exponentials: for
 * {@code y = e / s} with {@code e = exp(...)} and {@code s = sum(e, last axis)}, every other use of
 * {@code e} (the gradient's {@code de * e}) becomes {@code y * s} (the same value to a rounding). The
 * forward row kernel then keeps {@code e} within the row (it needs no tensor of its own), and stores only
 * {@code y}, which attention reads anyway; the backward reads {@code y} and the row sums. The
 * {@code y}-form of the gradient, {@code y * (dy - sum(dy * y))}, is PyTorch's.
 */
public final class SoftmaxFromOutput implements Pass {
    public String name() { return "softmax-from-output"; }

    public Graph run(Graph g, PassContext cx) {
        Map<Node, List<Node>> users = g.users();
        Map<Node, Node> softmaxOf = new IdentityHashMap<>();   // e -> y
        for (Node y : g.topo()) {
            if (y.op() != Ops.DIV) continue;
            Node e = y.in(0), s = y.in(1);
            if (e.op() != Ops.EXP || s.op() != Ops.SUM || s.in(0) != e || !lastAxisKept(s) || softmaxOf.containsKey(e)) continue;
            if (users.get(e).stream().anyMatch(u -> u != y && u != s)) softmaxOf.put(e, y);
        }
        if (softmaxOf.isEmpty()) return g;
        int[] count = {0};
        Graph r = Rewriter.readFromAnchor(g, softmaxOf, (user, y) -> user == y || user == y.in(1), (b, y) -> b.mul(y, y.in(1)), count);
        cx.count(name(), count[0]);
        return r;
    }

    private static boolean lastAxisKept(Node s) {
        int[] axes = s.attrs().ints("axes");
        return s.attrs().b("keepdims") && axes.length == 1 && axes[0] == s.in(0).shape().rank() - 1;
    }
}
