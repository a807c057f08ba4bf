package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Ops;
import java.util.List;

/**
 * An embedding followed by a linear map is a lookup in the projected table:
 * {@code gather(E, ids) @ W + b -> gather(E @ W + b, ids)}, when the table has fewer rows than the lookup
 * has ids (a character or token vocabulary against {@code batch * seq} positions, as in front of every
 * recurrent layer of a language model). The product then costs {@code V * D * N} instead of
 * {@code batch * seq * D * N}, and so do its two gradients: autodiff, which runs after this pass, turns the
 * lookup's gradient into a row sum ({@code scatter_add}) of {@code [V, N]} and the products' into
 * {@code V}-row products. The same numbers, summed in another order.
 *
 * <p>A transpose of such a lookup that keeps the table's axes last becomes a lookup with transposed ids
 * ({@code transpose(gather(T, ids)) -> gather(T, transpose(ids))}), so a recurrent layer's time-major input
 * is not a copy of the projected rows.
 *
 * <p>Whether it pays depends on the batch, which the graph leaves symbolic: the pass is given the batch the
 * entry point runs at (the train block's, for a training step) and keeps the graph as it is otherwise.
 */
public final class FoldEmbeddingProjection implements Pass {
    private final int batch;

    /** @param batch the batch size the entry point is expected to run at */
    public FoldEmbeddingProjection(int batch) { this.batch = batch; }

    public String name() { return "fold-embedding-projection"; }

    public Graph run(Graph g, PassContext cx) {
        return Rewriter.rewrite(g, (b, old, ins) -> {
            if (old.op() == Ops.MATMUL) return product(b, old.attrs(), ins.get(0), ins.get(1));
            if (old.op() == Ops.ADD) {
                Node r = bias(b, ins.get(0), ins.get(1));
                return r != null ? r : bias(b, ins.get(1), ins.get(0));
            }
            if (old.op() == Ops.TRANSPOSE) return transposeIds(b, ins.get(0), old.attrs().ints("perm"));
            return null;
        });
    }

    /** {@code matmul(gather(E, ids), W) -> gather(matmul(E, W), ids)}. */
    private Node product(GraphBuilder b, Attrs a, Node lookup, Node w) {
        if (a.b("transA") || w.shape().hasBatch() || w.shape().rank() != 2 || !folds(lookup)) return null;
        return b.node(Ops.GATHER, b.node(Ops.MATMUL, a, lookup.in(0), w), lookup.in(1));
    }

    /** {@code add(gather(T, ids), c) -> gather(add(T, c), ids)}, c one row {@code [N]} (or {@code [1, ..., N]}) added to every row. */
    private Node bias(GraphBuilder b, Node lookup, Node c) {
        if (!folds(lookup)) return null;
        Node table = lookup.in(0);
        Shape cs = c.shape();
        int n = table.shape().dim(1);
        if (cs.hasBatch() || cs.rank() < 1 || cs.dim(-1) != n) return null;
        for (int i = 0; i < cs.rank() - 1; i++) if (cs.dim(i) != 1) return null;
        Node row = cs.rank() == 1 ? c : b.node(Ops.RESHAPE, Attrs.of("shape", new int[] {n}), c);
        return b.node(Ops.GATHER, b.add(table, row), lookup.in(1));
    }

    /** A lookup in a static matrix with fewer rows than ids. */
    private boolean folds(Node lookup) {
        if (lookup.op() != Ops.GATHER) return false;
        Shape t = lookup.in(0).shape();
        return t.rank() == 2 && !t.hasBatch() && t.dim(0) < lookups(lookup.in(1).shape());
    }

    /** The number of ids at this pass's batch size. */
    private long lookups(Shape ids) {
        long r = 1;
        for (int i = 0; i < ids.rank(); i++) r *= ids.isBatchDim(i) ? (long) batch * -ids.dim(i) : ids.dim(i);
        return r;
    }

    /** {@code transpose(gather(T, ids), perm)}, perm fixing T's trailing axes: the ids transposed instead. */
    private static Node transposeIds(GraphBuilder b, Node lookup, int[] perm) {
        if (lookup.op() != Ops.GATHER) return null;
        Node ids = lookup.in(1);
        int k = ids.shape().rank();
        for (int i = k; i < perm.length; i++) if (perm[i] != i) return null;
        int[] idPerm = java.util.Arrays.copyOf(perm, k);
        for (int p : idPerm) if (p >= k) return null;
        return b.node(Ops.GATHER, lookup.in(0), b.transpose(ids, idPerm));
    }
}
