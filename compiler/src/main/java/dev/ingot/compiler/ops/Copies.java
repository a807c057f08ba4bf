package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;

/**
 * Lowering helper shared by the data-movement ops (slice, pad, concat): copies a box of
 * {@code extent} elements from {@code src} (starting at index {@code srcStart}) into {@code dst}
 * (at {@code dstStart}), as nested loops around one {@code System.arraycopy} of the longest
 * contiguous run. Inside a row-parallel region ({@link Lowering#byRows}) it copies rows {@code [lo, hi)} of the
 * leading (batch) axis only.
 */
final class Copies {
    private Copies() {}

    static void box(Lowering cx, Node src, int[] srcStart, Node dst, int[] dstStart, Shape extent) {
        Shape ss = src.shape(), ds = dst.shape();
        int r = extent.rank();
        // the innermost dims copied whole in both tensors form one contiguous run with the first partial dim
        int inner = r - 1;
        while (inner > 0 && extent.dim(inner) == ss.dim(inner) && extent.dim(inner) == ds.dim(inner)) inner--;
        // in a row-parallel region: only rows [lo, hi) of the leading (batch) axis, so that axis is a loop
        boolean rows = cx.byRows();
        if (rows && (r < 2 || srcStart[0] != 0 || dstStart[0] != 0 || extent.dim(0) != Shape.BATCH))
            throw new IllegalStateException("copy of " + src + " into " + dst + " cannot run by rows");
        if (rows) inner = Math.max(inner, 1);
        Lin run = Lin.ONE;
        for (int d = inner; d < r; d++) run = run.times(extent.size(d));
        StringBuilder sb = new StringBuilder("{ ");
        for (int d = 0; d < inner; d++)
            sb.append("for (int i").append(d).append(" = ").append(rows && d == 0 ? "lo" : "0").append("; i").append(d).append(" < ")
                    .append(rows && d == 0 ? "hi" : cx.size(extent.size(d))).append("; i").append(d).append("++) ");
        StringBuilder so = new StringBuilder(cx.offset(src)), dof = new StringBuilder(cx.offset(dst));
        for (int d = 0; d < r; d++) {
            String sst = cx.size(ss.stride(d)), dst2 = cx.size(ds.stride(d));
            if (d < inner) {
                so.append(" + (i").append(d).append(srcStart[d] == 0 ? "" : " + " + srcStart[d]).append(") * (").append(sst).append(")");
                dof.append(" + (i").append(d).append(dstStart[d] == 0 ? "" : " + " + dstStart[d]).append(") * (").append(dst2).append(")");
            } else {
                if (srcStart[d] != 0) so.append(" + ").append(srcStart[d]).append(" * (").append(sst).append(")");
                if (dstStart[d] != 0) dof.append(" + ").append(dstStart[d]).append(" * (").append(dst2).append(")");
            }
        }
        sb.append("System.arraycopy(").append(cx.array(src)).append(", ").append(so).append(", ").append(cx.array(dst)).append(", ").append(dof)
                .append(", ").append(cx.size(run)).append("); }");
        cx.emit(sb.toString());
    }

    static int[] zeros(int r) { return new int[r]; }
}
