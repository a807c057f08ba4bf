package dev.ingot.compiler.ir;

import java.util.Arrays;

/**
 * A static shape whose dimensions are positive integers, except that at most one dimension may be
 * a multiple of the symbolic batch size. Such a dimension is stored as a negative number:
 * {@code -1} is {@code batch}, {@code -64} is {@code 64*batch} (what {@code [batch, 64, c]} becomes
 * when flattened to rank 2). Every other dimension is known at compile time, so generated loops
 * are specialized on it.
 */
public record Shape(int[] dims) {
    public static final int BATCH = -1;
    public static final Shape SCALAR = new Shape(new int[0]);

    /** Most elements a Java array can hold (per example, for a shape with a batch dimension). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    public Shape {
        dims = dims.clone();
        int batchDims = 0;
        long numel = 1;
        for (int d : dims) {
            if (d == 0) throw new IllegalArgumentException("a dimension of size 0 in " + Arrays.toString(dims) + ": every size must be at least 1");
            if (d < 0) batchDims++;
            numel = Math.min(numel * Math.abs((long) d), Long.MAX_VALUE / Integer.MAX_VALUE); // saturates: stays exact up to the limit
        }
        if (batchDims > 1) throw new IllegalArgumentException("more than one batch dimension in " + Arrays.toString(dims));
        if (numel > MAX_ELEMENTS) {
            throw new IllegalArgumentException("a tensor of shape " + Arrays.toString(dims).replace("-1", "batch") + " has "
                    + (numel == Long.MAX_VALUE / Integer.MAX_VALUE ? "more than 4e9" : String.format("%,d", numel)) + " elements"
                    + (batchDims > 0 ? " per example" : "") + ", more than a Java array holds (" + String.format("%,d", MAX_ELEMENTS) + ")");
        }
    }

    public static Shape of(int... dims) { return new Shape(dims); }

    @Override public int[] dims() { return dims.clone(); }
    public int rank() { return dims.length; }
    public int dim(int i) { return dims[i < 0 ? i + dims.length : i]; }
    public boolean isScalar() { return dims.length == 0; }
    public boolean isBatchDim(int i) { return dims[i] < 0; }

    /** Index of the batch-dependent dimension, or -1. */
    public int batchAxis() {
        for (int i = 0; i < dims.length; i++) if (dims[i] < 0) return i;
        return -1;
    }

    public boolean hasBatch() { return batchAxis() >= 0; }

    /** Size of dimension {@code i} as a linear expression in the batch size. */
    public Lin size(int i) { return dims[i] < 0 ? Lin.batch(-dims[i]) : Lin.of(dims[i]); }

    /** Number of elements. */
    public Lin numel() {
        Lin n = Lin.ONE;
        for (int i = 0; i < dims.length; i++) n = n.times(size(i));
        return n;
    }

    /** Row-major stride of dimension {@code i}. */
    public Lin stride(int i) {
        Lin s = Lin.ONE;
        for (int j = i + 1; j < dims.length; j++) s = s.times(size(j));
        return s;
    }

    /** The dimensions with the batch size substituted. */
    public int[] concrete(int batch) {
        int[] c = dims.clone();
        for (int i = 0; i < c.length; i++) if (c[i] < 0) c[i] = -c[i] * batch;
        return c;
    }

    /** Normalizes a possibly negative axis; returns -1 when out of range. */
    public int axis(int a) {
        int r = a < 0 ? a + dims.length : a;
        return r >= 0 && r < dims.length ? r : -1;
    }

    public Shape with(int i, int d) {
        int[] c = dims.clone();
        c[i] = d;
        return new Shape(c);
    }

    public static String dimString(int d) {
        if (d == -1) return "batch";
        if (d < 0) return (-d) + "*batch";
        return Integer.toString(d);
    }

    /** As the user writes it: {@code [batch, 784]}. */
    @Override public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(dimString(dims[i]));
        }
        return sb.append(']').toString();
    }

    /** Compact form for the IR text: {@code [B,784]}, {@code [64B,65]}. */
    public String compact() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) sb.append(',');
            int d = dims[i];
            sb.append(d == -1 ? "B" : d < 0 ? (-d) + "B" : Integer.toString(d));
        }
        return sb.append(']').toString();
    }

    @Override public boolean equals(Object o) { return o instanceof Shape s && Arrays.equals(s.dims, dims); }
    @Override public int hashCode() { return Arrays.hashCode(dims); }
}
