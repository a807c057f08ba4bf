package dev.ingot.compiler.frontend;

import dev.ingot.compiler.frontend.Value.ListV;
import dev.ingot.compiler.frontend.Value.NumV;
import dev.ingot.compiler.frontend.Value.TensorV;
import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.grammar.IngotParser;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code x[i]}, {@code x[:, 1:3]}, {@code x[-1]}: numpy's basic indexing. On a tensor it becomes a
 * {@code slice} (plus a reshape dropping the dimensions indexed by a single integer); on a
 * compile-time list, an element or a sublist. Steps other than 1 are not supported.
 */
final class Indexing {
    private Indexing() {}

    static Value index(Evaluator ev, Value v, IngotParser.IndexExprContext ix, Scope s, SourceFile f) {
        List<IngotParser.IndexContext> items = ix.index();
        if (v instanceof ListV l) {
            if (items.size() != 1) throw ev.error(ix, f, "a list takes one index, got " + items.size());
            int n = l.items().size();
            IngotParser.IndexContext it = items.get(0);
            if (it instanceof IngotParser.PointIndexContext p) return l.items().get(point(ev, p.expr(), n, s, f, "list index"));
            int[] r = range(ev, (IngotParser.SliceIndexContext) it, n, s, f);
            return new ListV(l.items().subList(r[0], r[1]));
        }
        if (!(v instanceof TensorV t)) throw ev.error(ix, f, "cannot index " + v.describe());
        Node x = t.node();
        Shape sh = x.shape();
        if (items.size() > sh.rank()) throw ev.error(ix, f, items.size() + " indices for a tensor of rank " + sh.rank() + " " + sh);
        int[] begin = new int[sh.rank()], end = sh.dims();
        List<Integer> kept = new ArrayList<>();
        for (int d = 0; d < sh.rank(); d++) {
            IngotParser.IndexContext it = d < items.size() ? items.get(d) : null;
            boolean whole = it == null || (it instanceof IngotParser.SliceIndexContext sl && sl.start == null && sl.stop == null && sl.step == null);
            if (sh.isBatchDim(d)) {
                if (!whole) throw ev.error(it, f, "the batch dimension can only be taken whole (':')");
                kept.add(sh.dim(d));
                continue;
            }
            if (it instanceof IngotParser.PointIndexContext p) {
                int i = point(ev, p.expr(), sh.dim(d), s, f, "index in dimension " + d);
                begin[d] = i;
                end[d] = i + 1;
            } else {
                int[] r = it == null ? new int[] {0, sh.dim(d)} : range(ev, (IngotParser.SliceIndexContext) it, sh.dim(d), s, f);
                if (r[1] <= r[0]) throw ev.error(it, f, "empty slice " + r[0] + ":" + r[1] + " of dimension " + d + " (size " + sh.dim(d) + ")");
                begin[d] = r[0];
                end[d] = r[1];
                kept.add(r[1] - r[0]);
            }
        }
        Node y = ev.b.node(Ops.SLICE, Attrs.of("begin", begin, "end", end), x);
        return new TensorV(ev.b.reshape(y, new Shape(kept.stream().mapToInt(Integer::intValue).toArray())));
    }

    private static int point(Evaluator ev, IngotParser.ExprContext e, int size, Scope s, SourceFile f, String what) {
        Value v = ev.eval(e, s, f);
        if (!(v instanceof NumV n) || !n.isInt()) throw ev.error(e, f, what + " must be an integer, got " + v.describe());
        int i = (int) n.v();
        if (i < -size || i >= size) throw ev.error(e, f, what + " " + i + " is out of range for size " + size);
        return i < 0 ? i + size : i;
    }

    /** start:stop with Python's clamping and negative indices; the step must be 1. */
    private static int[] range(Evaluator ev, IngotParser.SliceIndexContext sl, int size, Scope s, SourceFile f) {
        if (sl.step != null) {
            Value st = ev.eval(sl.step, s, f);
            if (!(st instanceof NumV n) || n.v() != 1) throw ev.error(sl.step, f, "slicing with a step other than 1 is not supported");
        }
        int a = sl.start == null ? 0 : bound(ev, sl.start, size, s, f), b = sl.stop == null ? size : bound(ev, sl.stop, size, s, f);
        return new int[] {a, b};
    }

    private static int bound(Evaluator ev, IngotParser.ExprContext e, int size, Scope s, SourceFile f) {
        Value v = ev.eval(e, s, f);
        if (!(v instanceof NumV n) || !n.isInt()) throw ev.error(e, f, "a slice bound must be an integer, got " + v.describe());
        int i = (int) n.v();
        if (i < 0) i += size;
        return Math.max(0, Math.min(size, i));
    }
}
