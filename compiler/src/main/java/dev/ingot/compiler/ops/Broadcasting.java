package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Shape;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** numpy broadcasting: the shape rule and a float64 map over broadcast operands. */
public final class Broadcasting {
    private Broadcasting() {}

    /**
     * Right-aligned broadcast of two shapes: dimensions must be equal or one of them 1. The batch
     * dimension broadcasts like any other (against 1 only).
     */
    public static Shape broadcast(String op, Shape a, Shape b) {
        if (a.equals(b)) return a;
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dim(i - (r - a.rank()));
            int db = i < r - b.rank() ? 1 : b.dim(i - (r - b.rank()));
            if (da == db || db == 1) out[i] = da;
            else if (da == 1) out[i] = db;
            else throw new ShapeError(op + ": shapes " + a + " and " + b + " do not broadcast: "
                    + Shape.dimString(da) + " vs " + Shape.dimString(db) + " in dimension " + i + " (from the right: " + (r - i) + ")");
        }
        try {
            return new Shape(out);
        } catch (IllegalArgumentException e) {
            throw new ShapeError(op + ": shapes " + a + " and " + b + " broadcast to two batch dimensions");
        }
    }

    /** Element strides of an operand of shape {@code in} read at the indices of {@code out} (0 where broadcast). */
    public static long[] strides(int[] in, int[] out) {
        long[] st = new long[out.length];
        long s = 1;
        for (int i = in.length - 1; i >= 0; i--) {
            int oi = i + out.length - in.length;
            st[oi] = in[i] == 1 && out[oi] != 1 ? 0 : s;
            s *= in[i];
        }
        return st;
    }

    public static int numel(int[] s) {
        long n = 1;
        for (int d : s) n *= d;
        return Math.toIntExact(n);
    }

    /** Applies {@code f} to each element of the broadcast operands. */
    public static double[] map(List<double[]> in, List<int[]> shapes, int[] out, ToDoubleFunction<double[]> f) {
        int n = numel(out), k = in.size();
        long[][] st = new long[k][];
        for (int j = 0; j < k; j++) st[j] = strides(shapes.get(j), out);
        double[] res = new double[n];
        int[] idx = new int[out.length];
        double[] x = new double[k];
        for (int e = 0; e < n; e++) {
            for (int j = 0; j < k; j++) {
                long off = 0;
                for (int d = 0; d < out.length; d++) off += idx[d] * st[j][d];
                x[j] = in.get(j)[(int) off];
            }
            res[e] = f.applyAsDouble(x);
            for (int d = out.length - 1; d >= 0; d--) {
                if (++idx[d] < out[d]) break;
                idx[d] = 0;
            }
        }
        return res;
    }
}
