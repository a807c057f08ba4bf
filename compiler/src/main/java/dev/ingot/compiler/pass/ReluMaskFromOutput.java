package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ops.Ops;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * ReLU's backward pass reads its mask from the ReLU's output instead of keeping the mask:
 * for {@code y = where(x > 0, x, 0)}, every other use of the mask {@code x > 0} becomes
 * {@code y > 0} (the same value: {@code y > 0} exactly when {@code x > 0}). The forward kernel then
 * stores only {@code y}, which the next layer reads anyway, and no float mask is written and read
 * back per step.
 */
public final class ReluMaskFromOutput implements Pass {
    public String name() { return "relu-mask-from-output"; }

    public Graph run(Graph g, PassContext cx) {
        // mask -> the relu built on it (created before the mask's other users)
        Map<Node, Node> reluOf = new IdentityHashMap<>();
        Map<Node, List<Node>> users = g.users();
        for (Node w : g.topo()) {
            if (dev.ingot.compiler.ops.composite.Relu.input(w) == null) continue;
            Node m = w.in(0);
            if (reluOf.containsKey(m)) continue;
            if (users.get(m).stream().anyMatch(u -> u != w)) reluOf.put(m, w);
        }
        if (reluOf.isEmpty()) return g;
        int[] count = {0};
        Graph r = Rewriter.readFromAnchor(g, reluOf, (user, relu) -> user == relu, (b, relu) -> b.gt(relu, b.zero()), count);
        cx.count(name(), count[0]);
        return r;
    }
}
