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
 * Batched matrix product of rank >= 3 operands: {@code [..., m, k] @ [..., k, n] -> [..., m, n]},
 * the leading dimensions equal (attention's {@code [batch, heads, t, d]} products), each operand
 * optionally transposed in its last two axes ({@code transA}, {@code transB}).
 * <p>Forward: one GEMM per leading index ({@code MatMul.batchedMatmul}). Backward: again batched
 * products with transpose flags: {@code dA = dC op(B)^T}, {@code dB = op(A)^T dC}.
 */
public final class BatchMatMul implements Library {
    public String name() { return "bmm"; }

    private static int[] mk(Shape s, boolean t) {
        int r = s.rank();
        return t ? new int[] {s.dim(r - 1), s.dim(r - 2)} : new int[] {s.dim(r - 2), s.dim(r - 1)};
    }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        Shape sa = in.get(0).shape(), sb = in.get(1).shape();
        boolean ta = a.b("transA"), tb = a.b("transB");
        if (sa.rank() < 3 || sa.rank() != sb.rank())
            throw new ShapeError("matmul: batched operands need the same rank (3 or more), got " + sa + " @ " + sb);
        for (int i = 0; i < sa.rank() - 2; i++)
            if (sa.dim(i) != sb.dim(i)) throw new ShapeError("matmul: " + sa + " @ " + sb + ": the leading (batch) dimensions differ in dimension " + i);
        for (int i = sa.rank() - 2; i < sa.rank(); i++)
            if (sa.isBatchDim(i) || sb.isBatchDim(i)) throw new ShapeError("matmul: the batch dimension cannot be one of the last two of " + sa + " @ " + sb);
        int[] am = mk(sa, ta), bm = mk(sb, tb);
        if (am[1] != bm[0])
            throw new ShapeError("matmul: " + (ta ? "transpose(" + sa + ")" : sa) + " @ " + (tb ? "transpose(" + sb + ")" : sb) + ": inner dimensions " + am[1] + " and " + bm[0] + " differ");
        int[] out = Arrays.copyOf(sa.dims(), sa.rank());
        out[out.length - 2] = am[0];
        out[out.length - 1] = bm[1];
        return TensorType.f32(new Shape(out));
    }

    public List<Node> vjp(GraphBuilder g, Node c, Node dc) {
        Node a = c.in(0), b = c.in(1);
        boolean ta = c.attrs().b("transA"), tb = c.attrs().b("transB");
        Node da = ta ? bmm(g, b, dc, tb, true) : bmm(g, dc, b, false, !tb);
        Node db = tb ? bmm(g, dc, a, true, ta) : bmm(g, a, dc, !ta, false);
        return List.of(da, db);
    }

    static Node bmm(GraphBuilder g, Node a, Node b, boolean ta, boolean tb) {
        return g.node(Ops.BMM, Attrs.of("transA", ta, "transB", tb), a, b);
    }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        int[] sa = shapes.get(0), sb = shapes.get(1);
        boolean ta = a.b("transA"), tb = a.b("transB");
        int r = sa.length, m = out[r - 2], n = out[r - 1], k = ta ? sa[r - 2] : sa[r - 1];
        int batch = Broadcasting.numel(out) / (m * n), as = sa[r - 2] * sa[r - 1], bs = sb[r - 2] * sb[r - 1];
        double[] x = in.get(0), y = in.get(1), res = new double[batch * m * n];
        for (int q = 0; q < batch; q++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += x[q * as + (ta ? p * m + i : i * k + p)] * y[q * bs + (tb ? j * k + p : p * n + j)];
                    res[(q * m + i) * n + j] = s;
                }
        return res;
    }

    public void lower(Lowering cx, Node c) {
        Node a = c.in(0), b = c.in(1);
        boolean ta = c.attrs().b("transA"), tb = c.attrs().b("transB");
        Shape sa = a.shape(), sb = b.shape(), sc = c.shape();
        int r = sc.rank(), m = sc.dim(r - 2), n = sc.dim(r - 1), k = ta ? sa.dim(r - 2) : sa.dim(r - 1);
        Lin batch = Lin.ONE;
        for (int i = 0; i < r - 2; i++) batch = batch.times(sc.size(i));
        cx.emit((cx.vector() ? "MatMul" : "MatMulScalar") + ".batchedMatmul(" + cx.size(batch) + ", " + cx.array(a) + ", " + cx.offset(a) + ", " + (sa.dim(r - 2) * sa.dim(r - 1)) + ", " + ta + ", "
                + cx.array(b) + ", " + cx.offset(b) + ", " + (sb.dim(r - 2) * sb.dim(r - 1)) + ", " + tb + ", "
                + cx.array(c) + ", " + cx.offset(c) + ", " + (m * n) + ", " + m + ", " + n + ", " + k + ", false);");
    }

    public TestSpec testSpec() {
        return TestSpec.of(-1, 1,
                TestSpec.c(Attrs.of("transA", false, "transB", false), TensorType.f32(2, 3, 4), TensorType.f32(2, 4, 5)),
                TestSpec.c(Attrs.of("transA", false, "transB", true), TensorType.f32(2, 2, 3, 4), TensorType.f32(2, 2, 5, 4)),
                TestSpec.c(Attrs.of("transA", true, "transB", false), TensorType.f32(3, 4, 3), TensorType.f32(3, 4, 2)));
    }
}
