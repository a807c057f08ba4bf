package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Ops;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code attention(q, k, v, causal_mask(t)) -> attention(q, k, v) {causal}} (and the same for its gradient): a
 * constant additive mask that is 0 on and below the diagonal and minus infinity above it, the same for every image
 * and head, becomes the {@code causal} attribute, so the kernel skips the keys after each query (half the work) and
 * reads no mask.
 */
public final class CausalAttention implements Pass {
    public String name() { return "causal-attention"; }

    public Graph run(Graph g, PassContext cx) {
        return Rewriter.rewrite(g, (b, old, ins) -> {
            boolean masked = (old.op() == Ops.ATTENTION && ins.size() == 4) || (old.op() == Ops.ATTENTION_GRAD && ins.size() == 6);
            if (!masked || !isCausal(ins.get(3), ins.get(0).shape().dim(1), ins.get(1).shape().dim(1))) return null;
            List<Node> rest = new ArrayList<>(ins);
            rest.remove(3);
            return b.node(old.op(), rest, old.attrs().with("causal", true));
        });
    }

    /** Whether {@code m} is a constant {@code [t, s]} (leading 1s allowed) with 0 where {@code j <= i}, minus infinity elsewhere. */
    static boolean isCausal(Node m, int t, int s) {
        if (m.op() != Ops.CONST || !m.attrs().has("values")) return false;
        Shape sh = m.shape();
        if (sh.rank() < 2 || sh.dim(-2) != t || sh.dim(-1) != s) return false;
        for (int i = 0; i < sh.rank() - 2; i++) if (sh.dim(i) != 1) return false;
        double[] v = m.attrs().doubles("values");
        for (int i = 0; i < t; i++)
            for (int j = 0; j < s; j++)
                if (v[i * s + j] != (j <= i ? 0 : Double.NEGATIVE_INFINITY)) return false;
        return true;
    }
}
