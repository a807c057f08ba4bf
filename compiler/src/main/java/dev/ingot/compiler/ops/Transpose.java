package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * Permutation of axes ({@code perm}: output axis i is input axis perm[i]). <p>Forward: a strided
 * copy (the simplifier folds transposes feeding a matmul into its transpose flags instead).
 * Backward: {@code dx = transpose(dy, inverse(perm))}.
 */
public final class Transpose implements Movement {
    public String name() { return "transpose"; }
    public boolean isAlias() { return false; }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        Shape s = in.get(0).shape();
        int[] p = a.ints("perm");
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++)
            if (sorted.length != s.rank() || sorted[i] != i) throw new ShapeError("transpose: " + Arrays.toString(p) + " is not a permutation of the " + s.rank() + " axes of " + s);
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) out[i] = s.dim(p[i]);
        return in.get(0).withShape(new Shape(out));
    }

    public static int[] inverse(int[] p) {
        int[] inv = new int[p.length];
        for (int i = 0; i < p.length; i++) inv[p[i]] = i;
        return inv;
    }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return List.of(g.transpose(dy, inverse(y.attrs().ints("perm")))); }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        int[] p = a.ints("perm"), s = shapes.get(0);
        long[] st = new long[s.length];
        long acc = 1;
        for (int i = s.length - 1; i >= 0; i--) {
            st[i] = acc;
            acc *= s[i];
        }
        double[] x = in.get(0), r = new double[x.length];
        int[] idx = new int[out.length];
        for (int e = 0; e < r.length; e++) {
            long off = 0;
            for (int d = 0; d < out.length; d++) off += idx[d] * st[p[d]];
            r[e] = x[(int) off];
            for (int d = out.length - 1; d >= 0; d--) {
                if (++idx[d] < out[d]) break;
                idx[d] = 0;
            }
        }
        return r;
    }

    /**
     * Nested loops over the output (row-major), reading the input through permuted strides; when the
     * last axis stays last (splitting or merging attention heads), each innermost row is one
     * {@code System.arraycopy}. Lowered by rows ({@link Lowering#byRows}), the loop over the first output axis runs
     * over {@code [lo, hi)} only: a large transpose is split across the threads by code generation.
     */
    public void lower(Lowering cx, Node n) {
        Shape in = n.in(0).shape(), out = n.shape();
        int[] p = n.attrs().ints("perm");
        String src = cx.array(n.in(0)), so = cx.offset(n.in(0)), dst = cx.array(n), dof = cx.offset(n);
        int r = out.rank();
        // by rows: indices [lo, hi) of the output's first axis (a part of a parallel copy), else all of them
        boolean rows = cx.byRows();
        String start = rows ? dof + " + lo * (" + cx.size(out.stride(0)) + ")" : dof;
        // whole rows by System.arraycopy, which needs one array type on both sides: an i32 input may be an int[] (a
        // model input) copied into the float arena, so i32 goes element by element (a widening assignment)
        boolean copyRows = p[r - 1] == r - 1 && !out.isBatchDim(r - 1) && n.in(0).dtype() == dev.ingot.compiler.ir.DType.F32;
        StringBuilder sb = new StringBuilder("{ int o = " + start + "; ");
        int loops = copyRows ? r - 1 : r;
        for (int d = 0; d < loops; d++) {
            String from = d == 0 && rows ? "lo" : "0", to = d == 0 && rows ? "hi" : cx.size(out.size(d));
            sb.append("for (int i").append(d).append(" = ").append(from).append("; i").append(d).append(" < ").append(to).append("; i").append(d).append("++) ");
        }
        StringBuilder idx = new StringBuilder(so);
        for (int d = 0; d < loops; d++) idx.append(" + i").append(d).append(" * (").append(cx.size(in.stride(p[d]))).append(")");
        if (copyRows) {
            int row = out.dim(r - 1);
            sb.append("{ System.arraycopy(").append(src).append(", ").append(idx).append(", ").append(dst).append(", o, ").append(row).append("); o += ").append(row).append("; } }");
        } else {
            sb.append(dst).append("[o++] = ").append(src).append('[').append(idx).append("]; }");
        }
        cx.emit(sb.toString());
    }

    public TestSpec testSpec() {
        return TestSpec.of(-2, 2, TestSpec.c(Attrs.of("perm", new int[] {1, 0}), TensorType.f32(3, 4)), TestSpec.c(Attrs.of("perm", new int[] {2, 0, 1}), TensorType.f32(2, 3, 4)),
                TestSpec.c(Attrs.of("perm", new int[] {0, 2, 1, 3}), TensorType.f32(2, 3, 4, 5)));
    }
}
