package dev.ingot.compiler.codegen;

import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Reduction;

/**
 * Lowers a reduction over one contiguous block of axes, viewing the input as
 * {@code [outer, reduced, inner]} (the builder splits other axis sets into chains):
 * <ul>
 *   <li>{@code inner == 1} (e.g. a softmax row sum): a vector accumulator over the contiguous
 *       reduced run, then a cross-lane reduction;</li>
 *   <li>{@code inner > 1} (e.g. a bias gradient, summing over the batch): the output row
 *       accumulates input rows with vector operations.</li>
 * </ul>
 * The outer level is split across threads when large; a reduction into a single row ({@code outer == 1}) is split
 * over blocks of its columns instead.
 */
final class ReduceEmitter {
    private final EntryContext cx;
    private final boolean vector;

    ReduceEmitter(EntryContext cx, boolean vector) {
        this.cx = cx;
        this.vector = vector;
    }

    KernelCode emit(Node node, String method) {
        Reduction op = (Reduction) node.op();
        Node x = node.in(0);
        Shape s = x.shape();
        int[] axes = node.attrs().ints("axes");
        int first = axes[0], last = axes[axes.length - 1];
        Lin outer = Lin.ONE, red = Lin.ONE, inner = Lin.ONE;
        for (int i = 0; i < s.rank(); i++) {
            if (i < first) outer = outer.times(s.size(i));
            else if (i <= last) red = red.times(s.size(i));
            else inner = inner.times(s.size(i));
        }
        String src = cx.array(x), dst = cx.array(node), so = cx.offset(x), dof = cx.offset(node);
        String O = outer.java("n"), R = red.java("n"), I = inner.java("n");
        String id = EntryContext.lit(op.identity());
        if (outer.equals(Lin.ONE) && !inner.equals(Lin.ONE)) return columns(node, op, s, src, dst, so, dof, R, I, method);
        StringBuilder b = new StringBuilder();
        b.append("private void ").append(method).append("(int lo, int hi) {\n");
        b.append("final float[] src = this.").append(src).append(", dst = this.").append(dst).append(";\n");
        b.append("final int n = this.n;\n");
        b.append("for (int o = lo; o < hi; o++) {\n");
        if (inner.equals(Lin.ONE)) {
            b.append("final int base = ").append(so).append(" + o * ").append(p(R)).append(";\n");
            b.append("int j = 0;\n");
            b.append("float acc = ").append(id).append(";\n");
            if (vector) {
                b.append("FloatVector vacc = FloatVector.broadcast(F, ").append(id).append(");\n");
                b.append("for (final int ub = F.loopBound(").append(R).append("); j < ub; j += F.length()) {\n");
                b.append("vacc = ").append(op.vectorCombine("vacc", "FloatVector.fromArray(F, src, base + j)")).append(";\n}\n");
                b.append(op.vectorFold("vacc")).append("acc = ").append(op.vectorReduce("vacc")).append(";\n");
            }
            b.append("for (; j < ").append(R).append("; j++) acc = ").append(op.scalarCombine("acc", "src[base + j]")).append(";\n");
            b.append("dst[").append(dof).append(" + o] = acc;\n");
        } else {
            b.append("final int out = ").append(dof).append(" + o * ").append(p(I)).append(", in = ").append(so).append(" + o * ").append(p(R)).append(" * ").append(p(I)).append(";\n");
            rows(b, op, R, I, "0", I);
        }
        b.append("}\n}\n");
        Lin total = s.numel();
        boolean parallel = !outer.equals(Lin.ONE) && total.perBatch() * 64 + total.constant() >= ElementwiseEmitter.PARALLEL_MIN_ELEMENTS;
        return new KernelCode(method, b.toString(), O, parallel, node);
    }

    /**
     * Columns per work unit of {@link #columns}: a multiple of every vector length. 64, so that the bias gradient of a
     * 128-wide layer has work for two threads (at 256 it ran on one: a transformer step's bias gradients at 50%
     * parallel efficiency).
     */
    static final int COLUMNS = 64;

    /**
     * A reduction over the leading axes into one row (e.g. a bias gradient, summing a [batch, 1024] tensor over the
     * batch): split over blocks of {@link #COLUMNS} output columns, so that the threads have work even though there
     * is a single output row. Each column is summed over the rows in order, as by one thread.
     */
    private KernelCode columns(Node node, Reduction op, Shape s, String src, String dst, String so, String dof, String R, String I, String method) {
        StringBuilder b = new StringBuilder();
        b.append("private void ").append(method).append("(int lo, int hi) {\n");
        b.append("final float[] src = this.").append(src).append(", dst = this.").append(dst).append(";\n");
        b.append("final int n = this.n;\n");
        b.append("final int c0 = lo * ").append(COLUMNS).append(", c1 = Math.min(").append(I).append(", hi * ").append(COLUMNS).append(");\n");
        b.append("final int out = ").append(dof).append(", in = ").append(so).append(";\n");
        rows(b, op, R, I, "c0", "c1");
        b.append("}\n");
        Lin total = s.numel();
        boolean parallel = total.perBatch() * 64 + total.constant() >= ElementwiseEmitter.PARALLEL_MIN_ELEMENTS;
        return new KernelCode(method, b.toString(), "(" + I + " + " + (COLUMNS - 1) + ") / " + COLUMNS, parallel, node);
    }

    /**
     * {@code dst[out + j] = combine over r of src[in + r * I + j]} for j in [c0, c1), rows in order. Vector code takes
     * the columns four vectors at a time with the sums in registers over all rows (one load per input vector, one
     * store per output vector), then the rest row by row into {@code dst}; either way each column is combined over
     * the rows in order, so the result does not depend on the blocking or the threads.
     */
    private void rows(StringBuilder b, Reduction op, String R, String I, String c0, String c1) {
        boolean whole = c0.equals("0");
        b.append("int c = ").append(c0).append(";\n");
        if (vector) {
            b.append("for (final int w = 4 * F.length(); c + w <= ").append(c1).append("; c += w) {\n");
            for (int v = 0; v < 4; v++)
                b.append("FloatVector s").append(v).append(" = FloatVector.fromArray(F, src, in + c").append(v == 0 ? "" : " + " + v + " * F.length()").append(");\n");
            b.append("for (int r = 1; r < ").append(R).append("; r++) {\n");
            b.append("final int row = in + r * ").append(p(I)).append(" + c;\n");
            for (int v = 0; v < 4; v++)
                b.append("s").append(v).append(" = ").append(op.vectorCombine("s" + v, "FloatVector.fromArray(F, src, row" + (v == 0 ? "" : " + " + v + " * F.length()") + ")")).append(";\n");
            b.append("}\n");
            for (int v = 0; v < 4; v++) b.append("s").append(v).append(".intoArray(dst, out + c").append(v == 0 ? "" : " + " + v + " * F.length()").append(");\n");
            b.append("}\n");
        }
        b.append("if (c < ").append(c1).append(") {\n");
        b.append("final int from = c;\n");
        b.append("System.arraycopy(src, in + from, dst, out + from, ").append(c1).append(" - from);\n");
        b.append("for (int r = 1; r < ").append(R).append("; r++) {\n");
        b.append("final int row = in + r * ").append(p(I)).append(";\n");
        b.append("int j = from;\n");
        if (vector) {
            b.append("for (final int ub = from + F.loopBound(").append(c1).append(" - from); j < ub; j += F.length()) {\n");
            b.append(op.vectorCombine("FloatVector.fromArray(F, dst, out + j)", "FloatVector.fromArray(F, src, row + j)")).append(".intoArray(dst, out + j);\n}\n");
        }
        b.append("for (; j < ").append(c1).append("; j++) dst[out + j] = ").append(op.scalarCombine("dst[out + j]", "src[row + j]")).append(";\n");
        b.append("}\n}\n");
    }

    private static String p(String s) { return s.contains(" ") ? "(" + s + ")" : s; }
}
