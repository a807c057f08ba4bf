package dev.ingot.compiler.codegen;

import dev.ingot.compiler.fusion.Kernel;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Elementwise;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lowers a fused elementwise bundle to one loop nest: outer levels over the collapsed iteration
 * shape (the first one split across threads), then an inner Vector API loop with a scalar tail.
 * Operands broadcast along the inner level are loaded once per row; constants once per call.
 *
 * <pre>
 * private void k3_add_gt_where(int lo, int hi) {
 *     final float[] a = this.a, p_fc1_b = this.p_fc1_b;
 *     final FloatVector c0 = FloatVector.broadcast(F, 0.0f);
 *     for (int i0 = lo; i0 &lt; hi; i0++) {
 *         final int o0 = T_V12 + i0 * 256, o2 = T_H_14 + i0 * 256;
 *         int j = 0;
 *         for (final int ub = F.loopBound(256); j &lt; ub; j += F.length()) { ... }
 *         for (; j &lt; 256; j++) { ... }
 *     }
 * }
 * </pre>
 */
final class ElementwiseEmitter {
    /** Work items below this many elements run on the calling thread. */
    static final long PARALLEL_MIN_ELEMENTS = 1 << 15;
    /**
     * Block size of flat (1-level) loops, a multiple of every vector length; the unit the pool splits. 1024 floats,
     * so that a recurrent step's [32, 1024] gate tensor has 32 blocks to share among up to 32 threads.
     */
    static final int BLOCK = 1024;

    private final EntryContext cx;
    private final boolean vector;

    ElementwiseEmitter(EntryContext cx, boolean vector) {
        this.cx = cx;
        this.vector = vector;
    }

    /** Method body of kernel {@code k} over {@code [lo, hi)} of its outermost level; returns the range expression. */
    KernelCode emit(Kernel.Fused k, String method) { return emit(k, method, false); }

    /** {@link #emit}; with {@code rows}, the outermost level is the batch rows (for a row-parallel region). */
    KernelCode emit(Kernel.Fused k, String method, boolean rows) {
        Node shapeNode = k.members().get(k.members().size() - 1);
        var shape = k.shape();
        // operands: reads (non-literal; a view's source only through the view), views (slices read in place), then stores
        List<Node> ops = new ArrayList<>();
        Map<Node, String> literal = new LinkedHashMap<>();
        java.util.Set<Node> direct = java.util.Collections.newSetFromMap(new LinkedHashMap<>());
        for (Node m : k.members()) direct.addAll(m.inputs());
        for (Node r : k.reads()) {
            if (!direct.contains(r)) continue;
            String l = cx.literal(r);
            if (l != null) literal.put(r, l);
            else ops.add(r);
        }
        ops.addAll(k.views());
        int nReads = ops.size();
        ops.addAll(k.stores());
        List<Lin[]> strides = new ArrayList<>();
        List<String> arrs = new ArrayList<>(), offs = new ArrayList<>();
        for (Node o : ops) {
            if (k.views().contains(o)) {
                Node src = o.in(0);
                strides.add(Operand.viewStrides(src.shape(), o.shape(), shape));
                Lin at = Operand.viewOffset(src.shape(), o.attrs().ints("begin"));
                arrs.add(cx.array(src));
                offs.add(at.equals(Lin.ZERO) ? cx.offset(src) : "(" + cx.offset(src) + " + " + at.java("n") + ")");
            } else if (k.into().containsKey(o) && ops.indexOf(o) >= nReads) {
                // a part of a concatenation stored straight into its slice (Kernel.Fused#into)
                Node cat = k.into().get(o);
                int axis = cat.attrs().i("axis");
                if (axis < 0) axis += cat.shape().rank();
                int[] begin = new int[cat.shape().rank()];
                for (Node part : cat.inputs()) {
                    if (part == o) break;
                    begin[axis] += part.shape().dim(axis);
                }
                strides.add(Operand.viewStrides(cat.shape(), o.shape(), shape));
                Lin at = Operand.viewOffset(cat.shape(), begin);
                arrs.add(cx.array(cat));
                offs.add(at.equals(Lin.ZERO) ? cx.offset(cat) : "(" + cx.offset(cat) + " + " + at.java("n") + ")");
            } else {
                strides.add(Operand.strides(o.shape(), shape));
                arrs.add(cx.array(o));
                offs.add(cx.offset(o));
            }
        }
        // ops that need the element's position (random numbers) read a pseudo-operand: the flat index
        boolean indexed = k.members().stream().anyMatch(m -> ((Elementwise) m.op()).indexed());
        if (indexed) strides.add(Operand.strides(shape, shape));
        Operand.Nest nest = Operand.collapse(shape, strides, rows);
        int levels = nest.levels();
        boolean flat = levels == 1;
        boolean vec = vector && !k.scalar();   // the schedule's decision (Kernel.Fused#scalar)
        for (int o = 0; o < ops.size(); o++) {
            Lin s = nest.stride(o, levels - 1);
            if (!s.equals(Lin.ONE) && !s.equals(Lin.ZERO)) vec = false;     // a view strided along its last axis
        }

        StringBuilder b = new StringBuilder();
        b.append("private void ").append(method).append("(int lo, int hi) {\n");
        // locals for arrays
        List<String> arrays = new ArrayList<>();
        for (String arr : arrs) if (!arrays.contains(arr)) arrays.add(arr);
        for (String arr : arrays) b.append("final float[] ").append(arr).append(" = this.").append(arr).append(";\n");
        b.append("final int n = this.n;\n");
        // hoisted constants
        Map<Node, String> vecLit = new LinkedHashMap<>(), sclLit = new LinkedHashMap<>();
        int c = 0;
        for (var e : literal.entrySet()) {
            String s = "c" + c++;
            b.append("final float ").append(s).append(" = ").append(e.getValue()).append(";\n");
            sclLit.put(e.getKey(), s);
            if (vec) {
                b.append("final FloatVector ").append(s).append("v = FloatVector.broadcast(F, ").append(s).append(");\n");
                vecLit.put(e.getKey(), s + "v");
            }
        }
        // loop nest
        Lin inner = nest.size(levels - 1);
        String innerLen = inner.java("n");
        if (flat) {
            b.append("for (int blk = lo; blk < hi; blk++) {\n");
            b.append("final int start = blk * ").append(BLOCK).append(", end = Math.min(").append(innerLen).append(", start + ").append(BLOCK).append(");\n");
            for (int o = 0; o < ops.size(); o++) b.append("final int o").append(o).append(" = ").append(offs.get(o)).append(";\n");
            if (indexed) b.append("final int oi = 0;\n");
        } else {
            for (int l = 0; l < levels - 1; l++) {
                String lo = l == 0 ? "lo" : "0", hi = l == 0 ? "hi" : nest.size(l).java("n");
                b.append("for (int i").append(l).append(" = ").append(lo).append("; i").append(l).append(" < ").append(hi).append("; i").append(l).append("++) {\n");
            }
            for (int o = 0; o < ops.size(); o++) {
                StringBuilder off = new StringBuilder(offs.get(o));
                for (int l = 0; l < levels - 1; l++) {
                    Lin s = nest.stride(o, l);
                    if (!s.equals(Lin.ZERO)) off.append(" + i").append(l).append(" * ").append(paren(s.java("n")));
                }
                b.append("final int o").append(o).append(" = ").append(off).append(";\n");
            }
            if (indexed) {
                StringBuilder off = new StringBuilder("0");
                for (int l = 0; l < levels - 1; l++) {
                    Lin s = nest.stride(ops.size(), l);
                    if (!s.equals(Lin.ZERO)) off.append(" + i").append(l).append(" * ").append(paren(s.java("n")));
                }
                b.append("final int oi = ").append(off).append(";\n");
            }
        }
        // operands broadcast along the inner level: one scalar per row
        Map<Node, String> rowScalar = new LinkedHashMap<>();
        for (int o = 0; o < nReads; o++) {
            if (!nest.stride(o, levels - 1).equals(Lin.ZERO)) continue;
            Node r = ops.get(o);
            String s = "r" + o;
            b.append(Access.scalar(s, arrs.get(o), "o" + o, r.dtype()));
            rowScalar.put(r, s);
        }
        String j0 = flat ? "start" : "0", jEnd = flat ? "end" : innerLen;
        b.append("int j = ").append(j0).append(";\n");
        if (vec) {
            for (var e : rowScalar.entrySet()) b.append(Access.broadcast(e.getValue() + "v", e.getValue(), e.getKey().dtype()));
            String ub = flat ? "start + F.loopBound(end - start)" : "F.loopBound(" + innerLen + ")";
            b.append("for (final int ub = ").append(ub).append("; j < ub; j += F.length()) {\n");
            body(b, k, ops, arrs, nReads, nest, levels, literal.isEmpty() ? Map.of() : vecLit, rowScalar, true);
            b.append("}\n");
        }
        b.append("for (; j < ").append(jEnd).append("; j++) {\n");
        body(b, k, ops, arrs, nReads, nest, levels, sclLit, rowScalar, false);
        b.append("}\n");
        for (int l = 0; l < (flat ? 1 : levels - 1); l++) b.append("}\n");
        b.append("}\n");

        String range = flat ? "(" + innerLen + " + " + (BLOCK - 1) + ") / " + BLOCK : nest.size(0).java("n");
        Lin total = shape.numel();
        boolean parallel = total.perBatch() * 64 + total.constant() >= PARALLEL_MIN_ELEMENTS;
        return new KernelCode(method, b.toString(), range, parallel, shapeNode);
    }

    /** The scalar name of a broadcast operand (constants and per-row scalars have one). */
    private static String scalarOf(Node n, Map<Node, String> lits, Map<Node, String> rowScalar, String vectorName) {
        if (rowScalar.containsKey(n)) return rowScalar.get(n);
        if (vectorName.endsWith("v")) return vectorName.substring(0, vectorName.length() - 1);
        throw new IllegalStateException("an operand of an indexed op must be uniform across the loop: " + n);
    }

    private static String paren(String s) { return s.contains(" ") ? "(" + s + ")" : s; }

    /** Loads, the members' expressions in order, and stores, for the vector or the scalar loop. */
    private void body(StringBuilder b, Kernel.Fused k, List<Node> ops, List<String> arrs, int nReads, Operand.Nest nest, int levels,
                      Map<Node, String> lits, Map<Node, String> rowScalar, boolean vec) {
        Map<Node, String> val = new LinkedHashMap<>(lits);
        for (var e : rowScalar.entrySet()) val.put(e.getKey(), vec ? e.getValue() + "v" : e.getValue());
        for (int o = 0; o < nReads; o++) {
            Node r = ops.get(o);
            if (val.containsKey(r)) continue;
            String v = (vec ? "x" : "y") + o;
            b.append(Access.load(v, arrs.get(o), index(nest, o, levels), r.dtype(), vec));
            val.put(r, v);
        }
        int t = 0;
        for (Node m : k.members()) {
            Elementwise op = (Elementwise) m.op();
            List<String> args = new ArrayList<>();
            for (Node i : m.inputs()) args.add(val.get(i));
            if (op.indexed()) {
                // scalar operands of an indexed op stay scalars (e.g. the seed of random numbers)
                if (vec) for (int q = 0; q < m.inputs().size(); q++) args.set(q, scalarOf(m.inputs().get(q), lits, rowScalar, args.get(q)));
                args.add("(oi + j)");
            }
            String v = (vec ? "v" : "s") + t++;
            b.append(Access.define(v, m, args, vec));
            val.put(m, v);
        }
        for (int o = nReads; o < ops.size(); o++) {
            Node s = ops.get(o);
            b.append(Access.store(val.get(s), arrs.get(o), index(nest, o, levels), s.dtype(), vec));
        }
    }

    /** Operand {@code o}'s index at inner position {@code j}: {@code o3 + j}, or {@code o3 + j * 1024} for a strided view. */
    private static String index(Operand.Nest nest, int o, int levels) {
        Lin s = nest.stride(o, levels - 1);
        return "o" + o + " + j" + (s.equals(Lin.ONE) ? "" : " * " + paren(s.java("n")));
    }
}
