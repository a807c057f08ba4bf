package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * Matrix product {@code op(A) @ op(B)}. Each operand is viewed as a matrix by merging all but its
 * last dimension (so {@code [batch, t, c] @ [c, d]} applies a dense layer at every step), then
 * transposed when {@code transA}/{@code transB} is set. The output keeps A's leading dimensions
 * (or A's last, if transposed) followed by B's columns.
 *
 * <p>Forward: {@code C = op(A) @ op(B)}. Backward: {@code d op(A) = dC @ op(B)^T},
 * {@code d op(B) = op(A)^T @ dC}, expressed again as matmuls with transpose flags, so no transpose is
 * ever materialized. Lowered to the runtime's blocked Vector API SGEMM.
 */
public final class MatMul implements Library {
    public String name() { return "matmul"; }

    /** Matrix view {rows, cols} of a shape: all leading dims merged. */
    private static Lin[] view(Shape s) {
        Lin rows = Lin.ONE;
        for (int i = 0; i < s.rank() - 1; i++) rows = rows.times(s.size(i));
        return new Lin[] {rows, s.size(s.rank() - 1)};
    }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        Shape sa = in.get(0).shape(), sb = in.get(1).shape();
        boolean ta = a.b("transA"), tb = a.b("transB");
        if (sa.rank() < 2 || sb.rank() < 2)
            throw new ShapeError("matmul: " + sa + " @ " + sb + ": both operands need at least 2 dimensions (reshape a vector to [1, n] or [n, 1])");
        Lin[] va = view(sa), vb = view(sb);
        Lin kA = ta ? va[0] : va[1], kB = tb ? vb[1] : vb[0];
        if (!kA.equals(kB))
            throw new ShapeError("matmul: " + describe(sa, ta) + " @ " + describe(sb, tb) + ": inner dimensions " + kA + " and " + kB + " differ");
        int[] rows = ta ? new int[] {sa.dim(-1)} : Arrays.copyOf(sa.dims(), sa.rank() - 1);
        int[] cols = tb ? Arrays.copyOf(sb.dims(), sb.rank() - 1) : new int[] {sb.dim(-1)};
        int[] out = new int[rows.length + cols.length];
        System.arraycopy(rows, 0, out, 0, rows.length);
        System.arraycopy(cols, 0, out, rows.length, cols.length);
        try {
            return TensorType.f32(new Shape(out));
        } catch (IllegalArgumentException e) {
            throw new ShapeError("matmul: " + sa + " @ " + sb + ": the result would have two batch dimensions");
        }
    }

    private static String describe(Shape s, boolean t) { return t ? "transpose(" + s + ")" : s.toString(); }

    public List<Node> vjp(GraphBuilder g, Node c, Node dc) {
        Node a = c.in(0), b = c.in(1);
        boolean ta = c.attrs().b("transA"), tb = c.attrs().b("transB");
        // op(A) is viewed 2-D; reshape gradients computed in the 2-D view back to A's and B's shapes.
        Node da = ta ? g.matmul2d(b, dc, tb, true) : g.matmul2d(dc, b, false, !tb);
        Node db = tb ? g.matmul2d(dc, a, true, ta) : g.matmul2d(a, dc, !ta, false);
        return List.of(g.reshape(da, a.shape()), g.reshape(db, b.shape()));
    }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] outShape, Attrs a) {
        int[] sa = shapes.get(0), sb = shapes.get(1);
        boolean ta = a.b("transA"), tb = a.b("transB");
        int ra = Broadcasting.numel(sa) / sa[sa.length - 1], ca = sa[sa.length - 1];
        int rb = Broadcasting.numel(sb) / sb[sb.length - 1], cb = sb[sb.length - 1];
        int m = ta ? ca : ra, k = ta ? ra : ca, n = tb ? rb : cb;
        double[] x = in.get(0), y = in.get(1), c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (ta ? x[p * ca + i] : x[i * ca + p]) * (tb ? y[j * cb + p] : y[p * cb + j]);
                c[i * n + j] = s;
            }
        return c;
    }

    public void lower(Lowering cx, Node c) {
        Node a = c.in(0), b = c.in(1);
        boolean ta = c.attrs().b("transA"), tb = c.attrs().b("transB");
        Lin[] va = view(a.shape()), vb = view(b.shape());
        Lin m = ta ? va[1] : va[0], k = ta ? va[0] : va[1], n = tb ? vb[0] : vb[1];
        String packed = cx.packed(b, tb);
        String epi = cx.epilogue(c);
        String tail = epi == null ? "false);" : "false, " + epi + ");";
        if (cx.byRows()) {
            // rows [lo, hi) of a row-parallel region (the schedule puts only a product by a packed weight there)
            if (packed == null || ta) throw new IllegalStateException("matmul " + c + " cannot run by rows");
            cx.emit("MatMulPacked.matmulRows(" + cx.array(a) + ", " + cx.offset(a) + ", " + packed + ", Aligned.PAD, " + cx.array(c) + ", " + cx.offset(c)
                    + ", lo, hi, " + cx.size(n) + ", " + cx.size(k) + ", " + tail + "   // rows [lo, hi); weights packed before the loop");
            return;
        }
        if (packed != null) {
            cx.emit("MatMulPacked.matmul(" + cx.array(a) + ", " + cx.offset(a) + ", " + ta + ", " + packed + ", Aligned.PAD, "
                    + cx.array(c) + ", " + cx.offset(c) + ", " + cx.size(m) + ", " + cx.size(n) + ", " + cx.size(k) + ", " + tail + "   // weights packed before the loop");
            return;
        }
        cx.emit((cx.vector() ? "MatMul" : "MatMulScalar") + ".matmul(" + cx.array(a) + ", " + cx.offset(a) + ", " + ta + ", " + cx.array(b) + ", " + cx.offset(b) + ", " + tb + ", "
                + cx.array(c) + ", " + cx.offset(c) + ", " + cx.size(m) + ", " + cx.size(n) + ", " + cx.size(k) + ", " + tail);
    }

    /** Any product: the epilogue's bias runs along the output's last axis, the columns of C. */
    @Override public int epilogueAxis(Node c) { return c.shape().rank() - 1; }

    public TestSpec testSpec() {
        Attrs nn = Attrs.of("transA", false, "transB", false);
        return TestSpec.of(-1, 1,
                TestSpec.c(nn, TensorType.f32(3, 4), TensorType.f32(4, 5)),
                TestSpec.c(Attrs.of("transA", true, "transB", false), TensorType.f32(4, 3), TensorType.f32(4, 5)),
                TestSpec.c(Attrs.of("transA", false, "transB", true), TensorType.f32(3, 4), TensorType.f32(5, 4)),
                TestSpec.c(Attrs.of("transA", true, "transB", true), TensorType.f32(4, 3), TensorType.f32(5, 4)),
                TestSpec.c(nn, TensorType.f32(2, 3, 4), TensorType.f32(4, 5)),
                TestSpec.c(nn, TensorType.f32(1, 7), TensorType.f32(7, 1)));
    }
}
