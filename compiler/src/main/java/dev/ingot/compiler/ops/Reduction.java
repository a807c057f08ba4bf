package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * A reduction over a set of axes ({@code axes}, sorted, normalized) with {@code keepdims}.
 * {@code GraphBuilder} splits reductions over non-adjacent axes into a chain of reductions over
 * one contiguous block each, so codegen only sees the {@code [outer, reduced, inner]} form.
 */
public non-sealed interface Reduction extends Op {
    /** Identity of the reduction (0 for sum, -inf for max). */
    double identity();

    /** Combines an accumulator with an element. */
    double combine(double acc, double x);

    /** Java expression combining two scalars, e.g. {@code a + b}. */
    String scalarCombine(String acc, String x);

    /** Vector API lanewise combine, e.g. {@code acc.add(x)}. */
    String vectorCombine(String acc, String x);

    /** Java expression reducing the lanes of vector {@code v} to a float, e.g. {@code v.reduceLanes(VectorOperators.MAX)}; after {@link #vectorFold}. */
    String vectorReduce(String v);

    /**
     * Statements that combine the lanes of the vector variable {@code v} in place before {@link #vectorReduce} reads
     * it (none by default): the generated code's own statements rather than a call of a runtime helper, which C2 may
     * leave out of line, and then the vector is boxed.
     */
    default String vectorFold(String v) { return ""; }

    @Override default FusionKind fusionKind() { return FusionKind.REDUCTION; }

    @Override default TensorType inferType(List<TensorType> in, Attrs a) {
        Shape s = in.get(0).shape();
        int[] axes = a.ints("axes");
        boolean keep = a.b("keepdims");
        for (int ax : axes) if (ax < 0 || ax >= s.rank()) throw new ShapeError(name() + ": axis " + ax + " out of range for " + s);
        int[] out = new int[keep ? s.rank() : s.rank() - axes.length];
        int j = 0;
        for (int i = 0; i < s.rank(); i++) {
            boolean red = Arrays.binarySearch(axes, i) >= 0;
            if (red && keep) out[j++] = 1;
            else if (!red) out[j++] = s.dim(i);
        }
        return new TensorType(in.get(0).dtype(), new Shape(out));
    }

    @Override default double[] eval(List<double[]> in, List<int[]> shapes, int[] outShape, Attrs a) {
        int[] s = shapes.get(0);
        int[] axes = a.ints("axes");
        int[] kept = s.clone();
        for (int ax : axes) kept[ax] = 1;
        double[] res = new double[Broadcasting.numel(kept)];
        Arrays.fill(res, identity());
        long[] st = Broadcasting.strides(kept, s);
        double[] x = in.get(0);
        int[] idx = new int[s.length];
        for (int e = 0; e < x.length; e++) {
            long off = 0;
            for (int d = 0; d < s.length; d++) off += idx[d] * st[d];
            res[(int) off] = combine(res[(int) off], x[e]);
            for (int d = s.length - 1; d >= 0; d--) {
                if (++idx[d] < s[d]) break;
                idx[d] = 0;
            }
        }
        return res;
    }
}
