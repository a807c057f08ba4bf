package dev.ingot.compiler.pass;

import static dev.ingot.compiler.ops.Ops.ADD;
import static dev.ingot.compiler.ops.Ops.BROADCAST_TO;
import static dev.ingot.compiler.ops.Ops.CONCAT;
import static dev.ingot.compiler.ops.Ops.DIV;
import static dev.ingot.compiler.ops.Ops.MATMUL;
import static dev.ingot.compiler.ops.Ops.MUL;
import static dev.ingot.compiler.ops.Ops.NEG;
import static dev.ingot.compiler.ops.Ops.PAD;
import static dev.ingot.compiler.ops.Ops.RESHAPE;
import static dev.ingot.compiler.ops.Ops.SUB;
import static dev.ingot.compiler.ops.Ops.SUM;
import static dev.ingot.compiler.ops.Ops.TRANSPOSE;
import static dev.ingot.compiler.ops.Ops.WHERE;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ir.Shape;
import java.util.List;

/**
 * Algebraic simplification: a table of local rewrite rules, one line each with its
 * {@code before -> after}. A rule sees the node (for op and attrs) and its rebuilt inputs, and
 * returns a replacement or null. Rules never change a value's shape: where broadcasting could make
 * {@code x + 0} larger than {@code x}, the rule does not apply.
 */
public final class AlgebraicSimplify implements Pass {
    /** One rewrite rule. */
    record Rule(String name, Rewriter.Rule body) {}

    static Rule rule(String name, Rewriter.Rule body) { return new Rule(name, body); }

    /** x, if it has the node's shape (so the rewrite does not change the result's shape). */
    private static Node same(Node old, Node x) { return x.shape().equals(old.shape()) && x.dtype() == old.dtype() ? x : null; }

    static final List<Rule> RULES = List.of(
        rule("x + 0 -> x",                     (b, n, in) -> n.is(ADD) && in.get(1).isConst(0) ? same(n, in.get(0)) : null),
        rule("0 + x -> x",                     (b, n, in) -> n.is(ADD) && in.get(0).isConst(0) ? same(n, in.get(1)) : null),
        rule("x - 0 -> x",                     (b, n, in) -> n.is(SUB) && in.get(1).isConst(0) ? same(n, in.get(0)) : null),
        rule("0 - x -> neg x",                 (b, n, in) -> n.is(SUB) && in.get(0).isConst(0) && same(n, in.get(1)) != null ? b.neg(in.get(1)) : null),
        rule("x * 1 -> x",                     (b, n, in) -> n.is(MUL) && in.get(1).isConst(1) ? same(n, in.get(0)) : null),
        rule("1 * x -> x",                     (b, n, in) -> n.is(MUL) && in.get(0).isConst(1) ? same(n, in.get(1)) : null),
        rule("x * -1 -> neg x",                (b, n, in) -> n.is(MUL) && in.get(1).isConst(-1) && same(n, in.get(0)) != null ? b.neg(in.get(0)) : null),
        rule("x / 1 -> x",                     (b, n, in) -> n.is(DIV) && in.get(1).isConst(1) ? same(n, in.get(0)) : null),
        rule("x + neg y -> x - y",             (b, n, in) -> n.is(ADD) && in.get(1).is(NEG) ? b.sub(in.get(0), in.get(1).in(0)) : null),
        rule("x - neg y -> x + y",             (b, n, in) -> n.is(SUB) && in.get(1).is(NEG) ? b.add(in.get(0), in.get(1).in(0)) : null),
        rule("neg(neg x) -> x",                (b, n, in) -> n.is(NEG) && in.get(0).is(NEG) ? in.get(0).in(0) : null),
        rule("neg x * neg y -> x * y",         (b, n, in) -> n.is(MUL) && in.get(0).is(NEG) && in.get(1).is(NEG) ? b.mul(in.get(0).in(0), in.get(1).in(0)) : null),
        rule("where(c, x, x) -> x",            (b, n, in) -> n.is(WHERE) && in.get(1) == in.get(2) ? same(n, in.get(1)) : null),
        rule("reshape x to its shape -> x",    (b, n, in) -> n.is(RESHAPE) && in.get(0).shape().equals(n.shape()) ? in.get(0) : null),
        rule("reshape(reshape x) -> reshape x", (b, n, in) -> n.is(RESHAPE) && in.get(0).is(RESHAPE) ? b.reshape(in.get(0).in(0), n.shape()) : null),
        rule("broadcast_to x to its shape -> x", (b, n, in) -> n.is(BROADCAST_TO) && in.get(0).shape().equals(n.shape()) ? in.get(0) : null),
        rule("sum over size-1 axes -> reshape", (b, n, in) -> n.is(SUM) && allOnes(in.get(0).shape(), n.attrs().ints("axes")) ? b.reshape(in.get(0), n.shape()) : null),
        rule("transpose(transpose x) -> transpose x (composed)", (b, n, in) -> n.is(TRANSPOSE) && in.get(0).is(TRANSPOSE)
                ? b.transpose(in.get(0).in(0), compose(in.get(0).attrs().ints("perm"), n.attrs().ints("perm"))) : null),
        rule("matmul(transpose a, b) -> matmul(a, b, transA)", (b, n, in) -> n.is(MATMUL) && isTranspose2d(in.get(0))
                ? b.matmul2d(in.get(0).in(0), in.get(1), !n.attrs().b("transA"), n.attrs().b("transB")) : null),
        rule("pad(x) with no padding -> x",  (b, n, in) -> n.is(PAD) && allZero(n.attrs().ints("before")) && allZero(n.attrs().ints("after")) ? in.get(0) : null),
        rule("pad(a) + pad(b) over adjacent ranges of one axis -> pad(concat(a, b))", (b, n, in) -> n.is(ADD) ? adjacentPads(b, n, in.get(0), in.get(1)) : null),
        rule("concat(.., concat(a, b), ..) on one axis -> concat(.., a, b, ..)", (b, n, in) -> n.is(CONCAT) ? flattenConcat(b, n, in) : null),
        rule("matmul(a, transpose b) -> matmul(a, b, transB)", (b, n, in) -> n.is(MATMUL) && isTranspose2d(in.get(1))
                ? b.matmul2d(in.get(0), in.get(1).in(0), n.attrs().b("transA"), !n.attrs().b("transB")) : null));

    public String name() { return "simplify"; }

    public Graph run(Graph g, PassContext cx) {
        int[] hits = new int[RULES.size()];
        Graph r = Rewriter.rewrite(g, (b, n, in) -> {
            // apply rules until none fires on the result (a rewrite may enable another on the same node)
            Node cur = null;
            for (int round = 0; round < 8; round++) {
                Node fired = null;
                for (int i = 0; i < RULES.size() && fired == null; i++) {
                    fired = RULES.get(i).body().apply(b, cur == null ? n : cur, cur == null ? in : cur.inputs());
                    if (fired != null) hits[i]++;
                }
                if (fired == null || fired == cur) break;
                cur = fired;
            }
            return cur;
        });
        for (int i = 0; i < hits.length; i++) if (hits[i] > 0) cx.count("simplify: " + RULES.get(i).name(), hits[i]);
        return r;
    }

    private static boolean allZero(int[] v) {
        for (int x : v) if (x != 0) return false;
        return true;
    }

    /**
     * The gradient of several slices of one tensor (an LSTM's four gates) is a sum of zero-padded
     * pieces; when two pieces are zero-padded, disjoint and adjacent along one axis, their sum is
     * one padded concatenation (no fills, no adds).
     */
    private static Node adjacentPads(GraphBuilder b, Node n, Node x, Node y) {
        if (!x.is(PAD) || !y.is(PAD) || !x.shape().equals(n.shape()) || !y.shape().equals(n.shape())) return null;
        if (x.attrs().d("value") != 0 || y.attrs().d("value") != 0) return null;
        int[] xb = x.attrs().ints("before"), xa = x.attrs().ints("after"), yb = y.attrs().ints("before"), ya = y.attrs().ints("after");
        int axis = -1;
        for (int d = 0; d < xb.length; d++) {
            if (xb[d] == 0 && xa[d] == 0 && yb[d] == 0 && ya[d] == 0) continue;
            if (axis >= 0) return null;
            axis = d;
        }
        if (axis < 0) return null;
        int size = n.shape().dim(axis);
        int xEnd = size - xa[axis], yEnd = size - ya[axis];
        Node first, second;
        int before, after;
        if (xEnd == yb[axis]) { first = x; second = y; before = xb[axis]; after = ya[axis]; }
        else if (yEnd == xb[axis]) { first = y; second = x; before = yb[axis]; after = xa[axis]; }
        else return null;
        Node cat = b.node(CONCAT, java.util.List.of(first.in(0), second.in(0)), Attrs.of("axis", axis));
        int[] nb = new int[xb.length], na = new int[xb.length];
        nb[axis] = before;
        na[axis] = after;
        if (before == 0 && after == 0) return cat;
        return b.node(PAD, Attrs.of("before", nb, "after", na, "value", 0.0), cat);
    }

    private static Node flattenConcat(GraphBuilder b, Node n, java.util.List<Node> in) {
        int axis = n.attrs().i("axis");
        java.util.List<Node> flat = new java.util.ArrayList<>();
        boolean changed = false;
        for (Node i : in) {
            if (i.is(CONCAT) && i.attrs().i("axis") == axis) {
                flat.addAll(i.inputs());
                changed = true;
            } else flat.add(i);
        }
        return changed ? b.node(CONCAT, flat, n.attrs()) : null;
    }

    private static boolean allOnes(Shape s, int[] axes) {
        for (int a : axes) if (s.dim(a) != 1) return false;
        return true;
    }

    private static boolean isTranspose2d(Node n) { return n.is(TRANSPOSE) && n.shape().rank() == 2; }

    /** perm of transpose(transpose(x, p1), p2) = p1[p2[i]]. */
    private static int[] compose(int[] p1, int[] p2) {
        int[] r = new int[p2.length];
        for (int i = 0; i < r.length; i++) r[i] = p1[p2[i]];
        return r;
    }


}
