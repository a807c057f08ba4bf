package dev.ingot.compiler.codegen;

import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Index arithmetic for loops over an iteration shape: each operand is read (or written) with its
 * own strides, 0 along broadcast dimensions. Adjacent dimensions merge when every operand walks
 * them contiguously, so {@code [batch, 256] + [256]} becomes a 2-level loop and
 * {@code [batch, 256] * [batch, 256]} a flat one.
 */
final class Operand {
    private Operand() {}

    /** Strides of an operand of shape {@code in} read at the indices of {@code out} (numpy broadcasting). */
    static Lin[] strides(Shape in, Shape out) { return viewStrides(in, in, out); }

    /**
     * Strides of a view {@code x[begin0:end0, ...]} ({@code view} its shape) of a contiguous {@code src}, read in
     * place at the indices of {@code out}: the source's strides along the view's dimensions (0 where broadcast).
     */
    static Lin[] viewStrides(Shape src, Shape view, Shape out) {
        Lin[] inner = contiguous(src), st = new Lin[out.rank()];
        for (int i = 0; i < out.rank(); i++) {
            int k = i - (out.rank() - view.rank());
            st[i] = k < 0 || (view.dim(k) == 1 && out.dim(i) != 1) ? Lin.ZERO : inner[k];
        }
        return st;
    }

    /** Where a view starting at {@code begin} (one index per dimension) of a contiguous {@code src} begins. */
    static Lin viewOffset(Shape src, int[] begin) {
        Lin[] st = contiguous(src);
        Lin off = Lin.ZERO;
        for (int k = 0; k < src.rank(); k++) off = off.plus(st[k].times(begin[k]));
        return off;
    }

    private static Lin[] contiguous(Shape s) {
        Lin[] st = new Lin[s.rank()];
        Lin x = Lin.ONE;
        for (int k = s.rank() - 1; k >= 0; k--) {
            st[k] = x;
            x = x.times(s.size(k));
        }
        return st;
    }

    /** The collapsed loop nest: sizes per level and, per operand, strides per level. */
    record Nest(List<Lin> sizes, List<Lin[]> strides) {
        int levels() { return sizes.size(); }
        Lin size(int level) { return sizes.get(level); }
        Lin stride(int operand, int level) { return strides.get(operand)[level]; }
    }

    /**
     * Collapses an iteration shape for the given operand strides: drops size-1 dimensions and
     * merges dimension i into i+1 when every operand has {@code stride[i] == stride[i+1] * size[i+1]}.
     */
    static Nest collapse(Shape shape, List<Lin[]> operandStrides) { return collapse(shape, operandStrides, false); }

    /** {@link #collapse}; with {@code rows}, dimension 0 stays a level of its own (a loop over the batch rows). */
    static Nest collapse(Shape shape, List<Lin[]> operandStrides, boolean rows) {
        List<Lin> sizes = new ArrayList<>();
        List<List<Lin>> st = new ArrayList<>();
        for (int o = 0; o < operandStrides.size(); o++) st.add(new ArrayList<>());
        for (int d = 0; d < shape.rank(); d++) {
            if (shape.dim(d) == 1) continue;
            Lin size = shape.size(d);
            int last = sizes.size() - 1;
            boolean merge = last >= 0 && !(sizes.get(last).perBatch() != 0 && size.perBatch() != 0) && !(rows && d > 0 && last == 0 && shape.dim(0) != 1);
            if (merge) {
                for (int o = 0; o < operandStrides.size(); o++) {
                    Lin outer = st.get(o).get(last), inner = operandStrides.get(o)[d];
                    if (!outer.equals(safeTimes(inner, size))) {
                        merge = false;
                        break;
                    }
                }
            }
            if (merge) {
                sizes.set(last, sizes.get(last).times(size));
                for (int o = 0; o < operandStrides.size(); o++) st.get(o).set(last, operandStrides.get(o)[d]);
            } else {
                sizes.add(size);
                for (int o = 0; o < operandStrides.size(); o++) st.get(o).add(operandStrides.get(o)[d]);
            }
        }
        if (sizes.isEmpty()) {                          // a scalar: one iteration
            sizes.add(Lin.ONE);
            for (List<Lin> s : st) s.add(Lin.ZERO);
        }
        List<Lin[]> out = new ArrayList<>();
        for (List<Lin> s : st) out.add(s.toArray(new Lin[0]));
        return new Nest(sizes, out);
    }

    /** inner * size, or a value that equals nothing when both depend on the batch. */
    private static Lin safeTimes(Lin a, Lin b) {
        if (!a.isConstant() && !b.isConstant()) return new Lin(Long.MIN_VALUE, Long.MIN_VALUE);
        return a.times(b);
    }
}
