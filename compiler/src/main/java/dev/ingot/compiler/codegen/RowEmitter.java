package dev.ingot.compiler.codegen;

import dev.ingot.compiler.fusion.Kernel;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Elementwise;
import dev.ingot.compiler.ops.FusionKind;
import dev.ingot.compiler.ops.Reduction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lowers a row kernel ({@link Kernel.Rows}) over {@code S = [..., R]}: loops over the leading
 * dimensions (the first split across threads), and for each row its phases in order. A phase
 * computes its row scalars (members of shape {@code [..., 1]}) as Java locals, then one Vector API
 * loop over the row (with a scalar tail) computing its row members and accumulating its
 * reductions. A softmax row:
 * <pre>
 * for (int i0 = lo; i0 &lt; hi; i0++) for (int i1 = 0; i1 &lt; 64; i1++) {
 *     { ... loop 0: x = load; vmax = vmax.max(x) ... }  final float r2 = max;
 *     { ... loop 1: e = exp(x - r2); store e; vsum = vsum.add(e) ... }  final float r4 = sum;
 *     { ... loop 2: y = e / r4; store y ... }
 * }
 * </pre>
 */
final class RowEmitter {
    private final EntryContext cx;
    private final boolean vector;

    RowEmitter(EntryContext cx, boolean vector) {
        this.cx = cx;
        this.vector = vector;
    }

    KernelCode emit(Kernel.Rows k, String method) {
        Shape row = k.row();
        int rank = row.rank();
        Lin len = row.size(rank - 1);
        List<Node> members = k.members();
        Map<Node, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < members.size(); i++) index.put(members.get(i), i);

        // memory operands: external reads (not literals) and stored members; each has a row offset
        List<Node> ops = new ArrayList<>();
        Map<Node, String> literal = new LinkedHashMap<>();
        for (Node r : k.reads()) {
            String l = cx.literal(r);
            if (l != null) literal.put(r, l);
            else ops.add(r);
        }
        for (Node s : k.stores()) if (!ops.contains(s)) ops.add(s);
        Map<Node, Integer> opIndex = new LinkedHashMap<>();
        Map<Node, Boolean> perRow = new LinkedHashMap<>();   // operand constant along the row
        List<Lin[]> strides = new ArrayList<>();
        for (int o = 0; o < ops.size(); o++) {
            opIndex.put(ops.get(o), o);
            Lin[] st = Operand.strides(ops.get(o).shape(), row);
            strides.add(st);
            perRow.put(ops.get(o), st[rank - 1].equals(Lin.ZERO));
        }

        StringBuilder b = new StringBuilder("private void ").append(method).append("(int lo, int hi) {\n");
        List<String> helpers = new ArrayList<>();
        List<String> arrays = new ArrayList<>();
        for (Node o : ops) if (!arrays.contains(cx.array(o))) arrays.add(cx.array(o));
        for (String a : arrays) b.append("final float[] ").append(a).append(" = this.").append(a).append(";\n");
        b.append("final int n = this.n;\n");
        Map<Node, String> lits = new LinkedHashMap<>();
        int c = 0;
        for (var e : literal.entrySet()) {
            String name = "c" + c++;
            b.append("final float ").append(name).append(" = ").append(e.getValue()).append(";\n");
            lits.put(e.getKey(), name);
        }
        // outer loops: the first over [lo, hi), the others over their whole size (a rank-1 row: one row)
        int outer = Math.max(1, rank - 1);
        for (int l = 0; l < outer; l++) {
            String hi = l == 0 ? "hi" : row.size(l).java("n");
            b.append("for (int i").append(l).append(" = ").append(l == 0 ? "lo" : "0").append("; i").append(l).append(" < ").append(hi).append("; i").append(l).append("++) {\n");
        }
        for (int o = 0; o < ops.size(); o++) {
            StringBuilder off = new StringBuilder(cx.offset(ops.get(o)));
            for (int l = 0; l < rank - 1; l++) {
                Lin s = strides.get(o)[l];
                if (!s.equals(Lin.ZERO)) off.append(" + i").append(l).append(" * ").append(paren(s.java("n")));
            }
            b.append("final int o").append(o).append(" = ").append(off).append(";\n");
        }
        // row-constant external operands: one scalar per row
        Map<Node, String> rowScalar = new LinkedHashMap<>(lits);
        for (Node r : k.reads()) {
            if (literal.containsKey(r) || !perRow.get(r)) continue;
            String name = "q" + opIndex.get(r);
            b.append(Access.scalar(name, cx.array(r), "o" + opIndex.get(r), r.dtype()));
            rowScalar.put(r, name);
        }
        int phases = 0;
        for (Node m : members) phases = Math.max(phases, k.phase().get(m));
        for (int p = 0; p <= phases; p++) {
            // this phase's row scalars (and the results of the reductions that ended before it)
            for (Node m : members) {
                if (k.phase().get(m) != p || !isScalar(m, row) || reduction(m)) continue;
                String name = "r" + index.get(m);
                List<String> args = new ArrayList<>();
                for (Node i : m.inputs()) args.add(rowScalar.get(i));
                b.append("final ").append(Access.type(m.dtype(), false)).append(' ').append(name).append(" = ")
                        .append(((Elementwise) m.op()).scalar(args, m.attrs())).append(";   // ").append(m.op().name()).append('\n');
                rowScalar.put(m, name);
                store(b, m, name, opIndex);
            }
            List<Node> loop = new ArrayList<>(), reds = new ArrayList<>();
            for (Node m : members) {
                if (reduction(m) && k.phase().get(m) == p + 1) reds.add(m);
                else if (!reduction(m) && !isScalar(m, row) && k.phase().get(m) == p) loop.add(m);
            }
            if (loop.isEmpty() && reds.isEmpty()) continue;
            // the reductions' results are row scalars of the next phases: declared before the loop's block
            for (Node r : reds) b.append("final float r").append(index.get(r)).append(";\n");
            List<Node> again = vector && loop.stream().anyMatch(RowEmitter::heavy) ? recomputedForReductions(loop, reds, opIndex) : null;
            if (again != null) {
                // a phase with a polynomial (softmax's exp) as a method of its own, called per row; its reductions
                // (softmax's sum) in a loop here over the values it stored, and the cheap values it did not store
                // computed again (a layer norm's backward beside a GELU's: its row sum of products)
                String phase = method + "_p" + p;
                helpers.add(phaseMethod(phase, len, loop, index, opIndex, rowScalar, lits, arrays, ops.size()));
                b.append(phase).append('(');
                for (int o = 0; o < ops.size(); o++) b.append(o > 0 ? ", " : "").append('o').append(o);
                for (var e : rowScalar.entrySet())
                    if (!lits.containsKey(e.getKey()) && usedIn(e.getKey(), loop, List.of())) b.append(", ").append(e.getValue());
                b.append(");\n");
                loop = again;
                if (reds.isEmpty()) continue;
            }
            b.append("{\n");
            String len0 = len.java("n");
            b.append("int j = 0;\n");
            if (vector) {
                for (var e : rowScalar.entrySet())
                    if (usedIn(e.getKey(), loop, reds)) b.append(Access.broadcast(e.getValue() + "v", e.getValue(), e.getKey().dtype()));
                for (Node r : reds) b.append("FloatVector a").append(index.get(r)).append(" = FloatVector.broadcast(F, ").append(EntryContext.lit(((Reduction) r.op()).identity())).append(");\n");
                b.append("for (final int ub = F.loopBound(").append(len0).append("); j < ub; j += F.length()) {\n");
                body(b, loop, reds, index, opIndex, rowScalar, true);
                b.append("}\n");
                for (Node r : reds) b.append(((Reduction) r.op()).vectorFold("a" + index.get(r)))
                        .append("float s").append(index.get(r)).append(" = ").append(((Reduction) r.op()).vectorReduce("a" + index.get(r))).append(";\n");
            } else {
                for (Node r : reds) b.append("float s").append(index.get(r)).append(" = ").append(EntryContext.lit(((Reduction) r.op()).identity())).append(";\n");
            }
            b.append("for (; j < ").append(len0).append("; j++) {\n");
            body(b, loop, reds, index, opIndex, rowScalar, false);
            b.append("}\n");
            for (Node r : reds) b.append("r").append(index.get(r)).append(" = s").append(index.get(r)).append(";   // ").append(r.op().name()).append('\n');
            b.append("}\n");
            for (Node r : reds) {
                String name = "r" + index.get(r);
                rowScalar.put(r, name);
                store(b, r, name, opIndex);
            }
        }
        for (int l = 0; l < outer; l++) b.append("}\n");
        b.append("}\n");
        String range = rank >= 2 ? row.size(0).java("n") : "1";
        Lin total = row.numel();
        boolean parallel = rank >= 2 && total.perBatch() * 64 + total.constant() >= ElementwiseEmitter.PARALLEL_MIN_ELEMENTS;
        return new KernelCode(method, b.toString(), range, parallel, members.get(members.size() - 1), helpers);
    }

    /**
     * The loop of a vector phase as a method of its own, {@code void name(int o0, ..., row scalars)}: over one row,
     * vector lanes then the scalar tail. Why: C2 compiles it with a node budget of its own, and without the row's
     * vector accumulators. A polynomial (an exp: 30 lane operations) in the method of the row's other phases, or
     * beside a vector accumulator, left JDK 17's C2 boxing the softmax rows' vectors (37 MB of garbage per
     * transformer step); the call per row passes only ints and floats.
     */
    private String phaseMethod(String name, Lin len, List<Node> loop, Map<Node, Integer> index, Map<Node, Integer> opIndex,
                               Map<Node, String> rowScalar, Map<Node, String> lits, List<String> arrays, int operands) {
        StringBuilder b = new StringBuilder("private void ").append(name).append('(');
        for (int o = 0; o < operands; o++) b.append(o > 0 ? ", " : "").append("int o").append(o);
        for (var e : rowScalar.entrySet())
            if (!lits.containsKey(e.getKey()) && usedIn(e.getKey(), loop, List.of()))
                b.append(", final ").append(Access.type(e.getKey().dtype(), false)).append(' ').append(e.getValue());
        b.append(") {\n");
        for (String a : arrays) b.append("final float[] ").append(a).append(" = this.").append(a).append(";\n");
        b.append("final int n = this.n;\n");
        for (var e : lits.entrySet()) b.append("final float ").append(e.getValue()).append(" = ").append(cx.literal(e.getKey())).append(";\n");
        String len0 = len.java("n");
        b.append("int j = 0;\n");
        for (var e : rowScalar.entrySet())
            if (usedIn(e.getKey(), loop, List.of())) b.append(Access.broadcast(e.getValue() + "v", e.getValue(), e.getKey().dtype()));
        b.append("for (final int ub = F.loopBound(").append(len0).append("); j < ub; j += F.length()) {\n");
        body(b, loop, List.of(), index, opIndex, rowScalar, true);
        b.append("}\n");
        b.append("for (; j < ").append(len0).append("; j++) {\n");
        body(b, loop, List.of(), index, opIndex, rowScalar, false);
        b.append("}\n");
        return b.append("}\n").toString();
    }

    /**
     * The members of a phase's {@code loop} that its reductions need and that the phase does not store, in loop order,
     * so that a loop of their own can compute them again after the phase's method stored the rest; null when one of
     * them is a polynomial (the phase then stays one loop). Empty when every reduction reads a stored value.
     */
    private static List<Node> recomputedForReductions(List<Node> loop, List<Node> reds, Map<Node, Integer> opIndex) {
        java.util.Set<Node> need = java.util.Collections.newSetFromMap(new LinkedHashMap<>());
        java.util.ArrayDeque<Node> work = new java.util.ArrayDeque<>();
        for (Node r : reds) work.add(r.in(0));
        while (!work.isEmpty()) {
            Node x = work.poll();
            if (!loop.contains(x) || opIndex.containsKey(x) || !need.add(x)) continue;
            if (heavy(x)) return null;
            work.addAll(x.inputs());
        }
        List<Node> again = new ArrayList<>();
        for (Node m : loop) if (need.contains(m)) again.add(m);
        return again;
    }

    private static boolean heavy(Node m) { return m.op() instanceof Elementwise e && e.heavy(); }

    private static boolean reduction(Node m) { return m.op().fusionKind() == FusionKind.REDUCTION; }

    private static boolean isScalar(Node m, Shape row) { return !m.shape().equals(row); }

    private static boolean usedIn(Node v, List<Node> loop, List<Node> reds) {
        for (Node m : loop) if (m.inputs().contains(v)) return true;
        for (Node r : reds) if (r.inputs().contains(v)) return true;
        return false;
    }

    /** Writes a stored member: row values at {@code j}, row scalars once per row. */
    private void store(StringBuilder b, Node m, String value, Map<Node, Integer> opIndex) {
        Integer o = opIndex.get(m);
        if (o == null) return;
        b.append(Access.store(value, cx.array(m), "o" + o, m.dtype(), false));
    }

    /** One iteration of a phase loop: loads, the phase's row members, stores, reduction updates. */
    private void body(StringBuilder b, List<Node> loop, List<Node> reds, Map<Node, Integer> index,
                      Map<Node, Integer> opIndex, Map<Node, String> rowScalar, boolean vec) {
        Map<Node, String> val = new LinkedHashMap<>();
        for (var e : rowScalar.entrySet()) val.put(e.getKey(), vec ? e.getValue() + "v" : e.getValue());
        List<Node> needed = new ArrayList<>();
        for (Node m : loop) needed.addAll(m.inputs());
        for (Node r : reds) needed.add(r.in(0));
        // loads: external row operands, and row members of earlier phases (stored there)
        for (Node x : needed) {
            if (val.containsKey(x) || loop.contains(x)) continue;
            Integer o = opIndex.get(x);
            if (o == null) throw new IllegalStateException("row kernel: no operand for " + x);
            String v = (vec ? "x" : "y") + o;
            b.append(Access.load(v, cx.array(x), "o" + o + " + j", x.dtype(), vec));
            val.put(x, v);
        }
        for (Node m : loop) {
            List<String> args = new ArrayList<>();
            for (Node i : m.inputs()) args.add(val.get(i));
            String v = (vec ? "v" : "t") + index.get(m);
            b.append(Access.define(v, m, args, vec));
            val.put(m, v);
            Integer o = opIndex.get(m);
            if (o == null) continue;
            b.append(Access.store(v, cx.array(m), "o" + o + " + j", m.dtype(), vec));
        }
        for (Node r : reds) {
            Reduction op = (Reduction) r.op();
            String acc = (vec ? "a" : "s") + index.get(r);
            b.append(acc).append(" = ").append(vec ? op.vectorCombine(acc, val.get(r.in(0))) : op.scalarCombine(acc, val.get(r.in(0)))).append(";\n");
        }
    }

    private static String paren(String s) { return s.contains(" ") ? "(" + s + ")" : s; }
}
