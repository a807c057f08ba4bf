package dev.ingot.runtime.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * Row sums by id: the gradient of a table lookup ({@code scatter_add}). Each row of {@code dy} is added to the
 * table row its id names, in the order of the ids (the same bits at any thread count).
 */
public final class Rows {
    private Rows() {}

    /** {@code out[rows x row] = 0; out[ids[i]] += dy[i]} for {@code count} ids read from an int array. */
    public static void scatterAdd(float[] out, int oo, int rows, int row, float[] dy, int dof, int[] ids, int io, int count) {
        java.util.Arrays.fill(out, oo, oo + rows * row, 0f);
        for (int i = 0; i < count; i++) addRow(out, oo + check(ids[io + i], i, rows) * row, dy, dof + i * row, row);
    }

    /** As above, the ids whole numbers held in floats (an intermediate result). */
    public static void scatterAdd(float[] out, int oo, int rows, int row, float[] dy, int dof, float[] ids, int io, int count) {
        java.util.Arrays.fill(out, oo, oo + rows * row, 0f);
        for (int i = 0; i < count; i++) addRow(out, oo + check((int) ids[io + i], i, rows) * row, dy, dof + i * row, row);
    }

    private static int check(int id, int i, int rows) {
        if (id < 0 || id >= rows) throw new IllegalArgumentException("id " + id + " at position " + i + " is outside the table's " + rows + " rows");
        return id;
    }

    private static void addRow(float[] out, int dst, float[] dy, int src, int row) {
        int k = 0;
        if (Simd.ENABLED) {
            for (int ub = Simd.F.loopBound(row); k < ub; k += Simd.L)
                FloatVector.fromArray(Simd.F, out, dst + k).add(FloatVector.fromArray(Simd.F, dy, src + k)).intoArray(out, dst + k);
        }
        for (; k < row; k++) out[dst + k] += dy[src + k];
    }
}
