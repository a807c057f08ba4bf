package dev.ingot.runtime.model;

import java.util.Arrays;

/**
 * Name, element type and shape of a tensor a compiled model exposes (an input, label, output,
 * parameter or state tensor). A dimension of {@link #BATCH} is the symbolic batch dimension.
 */
public record TensorSpec(String name, DType dtype, int[] shape) {
    /** The symbolic batch dimension in {@link #shape}. */
    public static final int BATCH = -1;

    public TensorSpec {
        shape = shape.clone();
    }

    @Override public int[] shape() { return shape.clone(); }

    /** Number of elements for a given batch size. */
    public long numel(int batch) {
        long n = 1;
        for (int d : shape) n *= d == BATCH ? batch : d;
        return n;
    }

    /** Number of elements per example (the product of the non-batch dimensions). */
    public int numelPerExample() {
        int n = 1;
        for (int d : shape) if (d != BATCH) n *= d;
        return n;
    }

    public boolean hasBatch() {
        for (int d : shape) if (d == BATCH) return true;
        return false;
    }

    /** The shape in DSL notation, e.g. {@code [batch, 784]}. */
    public String shapeString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i] == BATCH ? "batch" : Integer.toString(shape[i]));
        }
        return sb.append(']').toString();
    }

    @Override public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.dtype == dtype && Arrays.equals(t.shape, shape);
    }

    @Override public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(shape); }

    @Override public String toString() { return name + ": " + dtype.dslName() + shapeString(); }
}
