package dev.ingot.runtime.tensor;

import java.util.Arrays;

/**
 * A dense f32 tensor: a shape and a row-major {@code float[]}. Deliberately simple: it is the
 * exchange type of the data and checkpoint code, not a compute library (compiled models work on
 * raw arrays). The arrays are shared, not copied.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;

    /** Wraps {@code data} (not copied); its length must equal the product of {@code shape}. */
    public Tensor(int[] shape, float[] data) {
        this.shape = shape.clone();
        long n = numel(this.shape);
        if (data.length != n) {
            throw new IllegalArgumentException("shape " + shapeString(shape) + " needs " + n + " values, got " + data.length);
        }
        this.data = data;
    }

    /** A zero-filled tensor. */
    public static Tensor zeros(int... shape) {
        return new Tensor(shape, new float[checkedNumel(shape)]);
    }

    /** The shape (a copy). */
    public int[] shape() { return shape.clone(); }

    /** Size of dimension {@code axis}; negative axes count from the end. */
    public int dim(int axis) { return shape[axis < 0 ? shape.length + axis : axis]; }

    public int rank() { return shape.length; }

    /** The backing array (live, not a copy). */
    public float[] data() { return data; }

    public int numel() { return data.length; }

    /** Element at a full multi-index. */
    public float get(int... index) { return data[offset(index)]; }

    /** Sets the element at a full multi-index. */
    public void set(float value, int... index) { data[offset(index)] = value; }

    /** Row-major flat offset of a multi-index, bounds-checked per dimension. */
    public int offset(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index has " + index.length + " dimensions, tensor " + shapeString(shape) + " has " + shape.length);
        }
        int off = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of bounds for shape " + shapeString(shape));
            }
            off = off * shape[i] + index[i];
        }
        return off;
    }

    /** The same data viewed with another shape of equal size. */
    public Tensor reshape(int... newShape) { return new Tensor(newShape, data); }

    /** Index of the largest value of each row along the last axis (first one on ties). */
    public int[] argmaxLastAxis() {
        int cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        int rows = cols == 0 ? 0 : data.length / cols;
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) out[r] = argmax(data, r * cols, cols);
        return out;
    }

    /** Index (relative to {@code offset}) of the largest of {@code a[offset .. offset+length)}; first on
     *  ties; NaN never wins unless every value is NaN (then 0). */
    public static int argmax(float[] a, int offset, int length) {
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        boolean found = false;
        for (int i = 0; i < length; i++) {
            float v = a[offset + i];
            if (v > bestValue || (!found && v == Float.NEGATIVE_INFINITY)) {
                best = i;
                bestValue = v;
                found = true;
            }
        }
        return best;
    }

    /** Product of the dimensions as a long; {@link Long#MAX_VALUE} if even that overflows. */
    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + shapeString(shape));
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return n;
    }

    /** Product of the dimensions; fails if it does not fit a Java array. */
    public static int checkedNumel(int[] shape) {
        long n = numel(shape);
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("shape " + shapeString(shape) + " is too large for one array");
        return (int) n;
    }

    /** {@code [784, 128]}. */
    public static String shapeString(int[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i]);
        }
        return sb.append(']').toString();
    }

    /** A summary, not the contents: {@code Tensor[2, 3] min 0.0 max 5.0 mean 2.5}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(shapeString(shape));
        if (data.length == 0) return sb.append(" (empty)").toString();
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        double sum = 0;
        int nan = 0;
        for (float v : data) {
            if (Float.isNaN(v)) {
                nan++;
                continue;
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        if (nan < data.length) {
            sb.append(String.format(java.util.Locale.ROOT, " min %.4g max %.4g mean %.4g", min, max, sum / (data.length - nan)));
        }
        if (nan > 0) sb.append(" NaN ").append(nan);
        if (data.length <= 8) sb.append(' ').append(Arrays.toString(data));
        return sb.toString();
    }
}
