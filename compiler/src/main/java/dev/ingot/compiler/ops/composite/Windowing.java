package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.ShapeError;

/**
 * DSL conventions for window arguments, shared by convolution and pooling: a size or stride is an
 * integer or {@code [h, w]}; padding is {@code "valid"}, {@code "same"}, an integer, {@code [h, w]} or
 * {@code [top, left, bottom, right]}.
 */
final class Windowing {
    private Windowing() {}

    static int[] pair(String fn, String what, int[] v) {
        if (v.length == 1) return new int[] {v[0], v[0]};
        if (v.length == 2) return v;
        throw new ShapeError(fn + ": " + what + " must be an integer or [h, w], got " + v.length + " values");
    }

    /**
     * {@code [top, left, bottom, right]}. "same" keeps {@code ceil(size / stride)} outputs, with the
     * odd pixel at the bottom/right, as Keras and TensorFlow do (PyTorch's "same" is the stride-1 case).
     */
    static int[] padding(String fn, Object p, Shape x, int[] k, int[] stride, int[] dil) {
        if (p instanceof String s) {
            if (s.equals("valid")) return new int[4];
            if (!s.equals("same")) throw new ShapeError(fn + ": padding must be \"valid\", \"same\" or numbers, got \"" + s + "\"");
            int[] r = new int[4];
            for (int d = 0; d < 2; d++) {
                int size = x.dim(2 + d), out = (size + stride[d] - 1) / stride[d];
                int total = Math.max(0, (out - 1) * stride[d] + dil[d] * (k[d] - 1) + 1 - size);
                r[d] = total / 2;
                r[d + 2] = total - total / 2;
            }
            return r;
        }
        int[] v = (int[]) p;
        for (int q : v) if (q < 0) throw new ShapeError(fn + ": padding cannot be negative");
        if (v.length == 1) return new int[] {v[0], v[0], v[0], v[0]};
        if (v.length == 2) return new int[] {v[0], v[1], v[0], v[1]};
        if (v.length == 4) return v;
        throw new ShapeError(fn + ": padding must be one number, [h, w] or [top, left, bottom, right]");
    }

    static void checkImage(String fn, Shape x) {
        if (x.rank() != 4) throw new ShapeError(fn + ": expects images [batch, channels, height, width], got " + x + (x.rank() == 2 ? " (reshape flat pixels, e.g. reshape(x, [batch, 1, 28, 28]))" : ""));
    }

    /** Checks a 1-D signal [batch, channels, length]. */
    static void checkSignal(String fn, Shape x) {
        if (x.rank() != 3) throw new ShapeError(fn + ": expects signals [batch, channels, length] (NCL, PyTorch's layout), got " + x
                + (x.rank() == 2 ? " (a single channel is reshape(x, [batch, 1, length]))" : ""));
    }

    /** A 1-D signal as an image of height 1: [batch, c, l] -> [batch, c, 1, l]. */
    static dev.ingot.compiler.ir.Node asImage(dev.ingot.compiler.ir.GraphBuilder b, dev.ingot.compiler.ir.Node x) {
        Shape s = x.shape();
        return b.reshape(x, Shape.of(s.dim(0), s.dim(1), 1, s.dim(2)));
    }

    /** Back from an image of height 1: [batch, c, 1, l] -> [batch, c, l]. */
    static dev.ingot.compiler.ir.Node asSignal(dev.ingot.compiler.ir.GraphBuilder b, dev.ingot.compiler.ir.Node y) {
        Shape s = y.shape();
        return b.reshape(y, Shape.of(s.dim(0), s.dim(1), s.dim(3)));
    }

    /** A 1-D size (an integer) as the [h, w] pair of a height-1 image: [1, k]. */
    static int[] single(String fn, String what, int[] v) {
        if (v.length != 1) throw new ShapeError(fn + ": " + what + " must be one integer, got " + v.length + " values");
        return new int[] {1, v[0]};
    }

    /**
     * 1-D padding as the [top, left, bottom, right] of a height-1 image: "valid", "same" (computed
     * on the image, whose height-1 axis gets none), p or [left, right].
     */
    static Object padding1d(String fn, Object p) {
        if (p instanceof String) return p;
        int[] v = (int[]) p;
        if (v.length == 1) return new int[] {0, v[0], 0, v[0]};
        if (v.length == 2) return new int[] {0, v[0], 0, v[1]};
        throw new ShapeError(fn + ": padding must be \"valid\", \"same\", one number or [left, right]");
    }
}
