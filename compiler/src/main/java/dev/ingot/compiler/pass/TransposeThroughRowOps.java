package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
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
 * Transposes of the leading axes (the last axis stays in place) move across ops that work row by row along the last
 * axis, to the side where they copy less. A recurrent layer reads its input projection time-major: today
 * {@code transpose(x @ W + b)} copies the {@code [batch, T, 4H]} product (the LSTM: 8 MB per training step), and
 * backpropagation copies its gradient back the same way; afterwards only the {@code [batch, T, n_in]} input and its
 * gradient are transposed. Rules ({@code t} a transpose by {@code p} with {@code p[last] = last}):
 * <ul>
 *   <li>{@code t(x @ W) -> t(x) @ W} for a matrix {@code W}, when {@code x} is no larger than the product, and
 *       {@code t(f(x, b)) -> f(t(x), b)} for an elementwise {@code f} whose other operands are scalars or vectors
 *       along the last axis; only when the transpose is the op's only user (nothing is computed twice);</li>
 *   <li>{@code t(a) @ W -> t(a @ W)} when the product is smaller than {@code a};</li>
 *   <li>{@code t(a)^T @ b -> a^T @ t'(b)} ({@code t'} the inverse permutation: the contraction pairs the same rows),
 *       when {@code b} is no larger than {@code a};</li>
 *   <li>{@code sum(t(a))} over all leading axes {@code -> sum(a)} over the same axes.</li>
 * </ul>
 */
public final class TransposeThroughRowOps implements Pass {
    public String name() { return "transpose-through-row-ops"; }

    public Graph run(Graph g, PassContext cx) {
        Map<Node, List<Node>> users = g.users();
        Set<Node> roots = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Graph.Output o : g.outputs()) roots.add(o.node());
        for (Graph.Update u : g.updates()) roots.add(u.value());
        Set<Node> up = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node t : g.topo()) {
            if (!leading(t)) continue;
            Node f = t.in(0);
            if (!roots.contains(f) && users.getOrDefault(f, List.of()).size() == 1 && rowOp(f) && !larger(inputsMoved(f), f.shape().numel())) up.add(t);
        }
        int[] count = {0};
        Rewriter.Rebuilt rb = Rewriter.rebuild(g, (b, old, ins) -> {
            Node r = up.contains(old) ? moveUp(b, old, ins.get(0)) : across(b, old, ins);
            if (r == null || !r.shape().equals(old.shape()) || r.dtype() != old.dtype()) return null;
            r.hint(old.hint());
            count[0]++;
            return r;
        });
        cx.count(name(), count[0]);
        return count[0] == 0 ? g : rb.graph();
    }

    /** A transpose of leading axes only. */
    private static boolean leading(Node t) {
        if (t.op() != Ops.TRANSPOSE) return false;
        int[] p = t.attrs().ints("perm");
        return p[p.length - 1] == p.length - 1;
    }

    /** Whether {@code f} computes each row (along the last axis) from the same row of its full-shape operands. */
    private static boolean rowOp(Node f) {
        if (f.op() == Ops.MATMUL) return !f.attrs().b("transA") && matrix(f.in(1)) && f.in(0).shape().rank() == f.shape().rank();
        if (!(f.op() instanceof Elementwise e) || f.op().fusionKind() != FusionKind.ELEMENTWISE || e.indexed()) return false;
        for (Node x : f.inputs()) if (!x.shape().equals(f.shape()) && x.shape().rank() > 1) return false;
        return true;
    }

    private static boolean matrix(Node w) { return w.shape().rank() == 2 && !w.shape().hasBatch(); }

    /** Elements of the operands of row op {@code f} that move with the transpose. */
    private static Lin inputsMoved(Node f) {
        Lin s = Lin.ZERO;
        for (int i = 0; i < f.inputs().size(); i++) if (moves(f, i)) s = s.plus(f.in(i).shape().numel());
        return s;
    }

    private static boolean moves(Node f, int i) { return f.op() == Ops.MATMUL ? i == 0 : f.in(i).shape().equals(f.shape()); }

    /** Whether {@code a > b} for some batch size (both linear in it). */
    private static boolean larger(Lin a, Lin b) { return a.perBatch() > b.perBatch() || (a.perBatch() == b.perBatch() && a.constant() > b.constant()); }

    /** {@code t(f(x, ...)) -> f(t(x), ...)}; {@code f} is the rebuilt op. */
    private static Node moveUp(GraphBuilder b, Node t, Node f) {
        int[] p = t.attrs().ints("perm");
        List<Node> args = new ArrayList<>();
        for (int i = 0; i < f.inputs().size(); i++) args.add(moves(f, i) ? b.transpose(f.in(i), p) : f.in(i));
        return b.node(f.op(), args, f.attrs());
    }

    /** The rules on an op whose (rebuilt) input is a transpose; null when none applies. */
    private static Node across(GraphBuilder b, Node old, List<Node> ins) {
        if (old.op() == Ops.MATMUL && leading(ins.get(0)) && !old.attrs().b("transB")) {
            Node t = ins.get(0), a = t.in(0), w = ins.get(1);
            int[] p = t.attrs().ints("perm");
            if (!old.attrs().b("transA") && matrix(w) && t.shape().rank() == old.shape().rank() && larger(t.shape().numel(), old.shape().numel()))
                return b.transpose(b.node(Ops.MATMUL, List.of(a, w), old.attrs()), p);
            if (old.attrs().b("transA") && w.shape().rank() == t.shape().rank() && sameRows(t.shape(), w.shape()) && !larger(w.shape().numel(), t.shape().numel()))
                return b.node(Ops.MATMUL, List.of(a, b.transpose(w, inverse(p))), old.attrs());
        }
        if (old.op() == Ops.SUM && leading(ins.get(0))) {
            Node t = ins.get(0);
            int[] axes = old.attrs().ints("axes");
            int r = t.shape().rank();
            boolean allLeading = axes.length == r - 1;
            for (int i = 0; i < axes.length && allLeading; i++) allLeading = axes[i] == i;
            if (allLeading) return b.node(Ops.SUM, List.of(t.in(0)), old.attrs());
        }
        return null;
    }

    /** Same leading (row) dimensions. */
    private static boolean sameRows(dev.ingot.compiler.ir.Shape a, dev.ingot.compiler.ir.Shape c) {
        for (int i = 0; i < a.rank() - 1; i++) if (a.dim(i) != c.dim(i)) return false;
        return true;
    }

    private static int[] inverse(int[] p) {
        int[] q = new int[p.length];
        for (int i = 0; i < p.length; i++) q[p[i]] = i;
        return q;
    }
}
