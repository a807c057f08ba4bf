package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Elementwise;
import dev.ingot.compiler.ops.FusionKind;
import dev.ingot.compiler.ops.Ops;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Slices move in front of the elementwise op they cut: {@code f(x, y)[box] -> f(x[box], y[box])} (a
 * broadcast operand cut along its non-broadcast dimensions only), when every user of {@code f(x, y)}
 * is such a slice and every user of those slices is elementwise. An LSTM's
 * {@code z = xw + h @ W + b} cut into four gates becomes four gate expressions over slices of
 * {@code xw}, {@code h @ W} and {@code b}; the fusion planner reads those slices in place (views),
 * so the step computes {@code z} inside the gate kernels instead of writing it and reading it back.
 * Applied only when the slices together are no larger than {@code f}'s result (no work is
 * duplicated), and never to ops that depend on the element's position (random numbers).
 */
public final class SliceThroughElementwise implements Pass {
    public String name() { return "slice-through-elementwise"; }

    public Graph run(Graph g, PassContext cx) {
        Map<Node, List<Node>> users = g.users();
        Set<Node> roots = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Graph.Output o : g.outputs()) roots.add(o.node());
        for (Graph.Update u : g.updates()) roots.add(u.value());
        Set<Node> cut = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : g.topo()) if (cuttable(n, users, roots)) cut.add(n);
        if (cut.isEmpty()) return g;
        int[] count = {0};
        Graph r = Rewriter.rebuild(g, (b, old, ins) -> {
            if (old.op() != Ops.SLICE || !cut.contains(old.in(0))) return null;
            Node f = ins.get(0);
            List<Node> args = new ArrayList<>();
            for (Node x : f.inputs()) args.add(slice(b, x, f.shape(), old.attrs().ints("begin"), old.attrs().ints("end")));
            Node n = b.node(f.op(), args, f.attrs());
            if (!n.shape().equals(old.shape()) || n.dtype() != old.dtype()) return null;
            n.hint(old.hint());
            count[0]++;
            return n;
        }).graph();
        cx.count(name(), count[0]);
        return count[0] == 0 ? g : r;
    }

    /** An elementwise node used only by slices that only elementwise nodes use, together no larger than it. */
    private static boolean cuttable(Node n, Map<Node, List<Node>> users, Set<Node> roots) {
        if (!(n.op() instanceof Elementwise e) || n.op().fusionKind() != FusionKind.ELEMENTWISE || e.indexed() || roots.contains(n)) return false;
        List<Node> us = users.getOrDefault(n, List.of());
        if (us.isEmpty()) return false;
        Lin total = Lin.ZERO;
        for (Node s : us) {
            if (s.op() != Ops.SLICE || roots.contains(s)) return false;
            List<Node> su = users.getOrDefault(s, List.of());
            if (su.isEmpty()) return false;
            for (Node u : su) {
                FusionKind k = u.op().fusionKind();
                if (k != FusionKind.ELEMENTWISE && k != FusionKind.BROADCAST) return false;
            }
            total = total.plus(s.shape().numel());
        }
        Lin size = n.shape().numel();
        return total.perBatch() <= size.perBatch() && total.constant() <= size.constant();
    }

    /** Operand {@code x} of a result of shape {@code out} cut to the box {@code begin..end} of that result (numpy broadcasting). */
    private static Node slice(GraphBuilder b, Node x, Shape out, int[] begin, int[] end) {
        Shape s = x.shape();
        int shift = out.rank() - s.rank();
        int[] xb = new int[s.rank()], xe = new int[s.rank()];
        boolean whole = true;
        for (int d = 0; d < s.rank(); d++) {
            int k = d + shift;
            if (s.isBatchDim(d) || (s.dim(d) == 1 && out.dim(k) != 1)) {
                xb[d] = 0;
                xe[d] = s.dim(d);
            } else {
                xb[d] = begin[k];
                xe[d] = end[k];
                whole &= xb[d] == 0 && xe[d] == s.dim(d);
            }
        }
        return whole ? x : b.node(Ops.SLICE, Attrs.of("begin", xb, "end", xe), x);
    }
}
