package dev.ingot.runtime.kernels;

/**
 * Per-thread scratch buffers of the convolution kernels: each pool thread (and each calling thread) owns one,
 * obtained through a {@link ThreadLocal}. Buffers grow on demand (to 1.25x the request, so that a slowly growing
 * sequence of shapes does not reallocate every time) and are then reused, so the kernels allocate nothing after
 * warm-up. Contents are garbage between uses: every user initializes what it reads.
 */
final class Conv2dScratch {
    private static final ThreadLocal<Conv2dScratch> TL = ThreadLocal.withInitial(Conv2dScratch::new);

    private float[] col = new float[0];
    private float[] in = new float[0];
    private float[] out = new float[0];
    private float[] grad = new float[0];

    static Conv2dScratch get() {
        return TL.get();
    }

    /** The im2col / column-gradient matrix. */
    float[] col(int size) {
        if (col.length < size) {
            col = new float[grow(size)];
        }
        return col;
    }

    /** Padded input planes of the direct kernels. */
    float[] in(int size) {
        if (in.length < size) {
            in = new float[grow(size)];
        }
        return in;
    }

    /** Wide output rows of the direct kernels. */
    float[] out(int size) {
        if (out.length < size) {
            out = new float[grow(size)];
        }
        return out;
    }

    /** Wide output gradient planes of the direct weight-gradient kernel. */
    float[] grad(int size) {
        if (grad.length < size) {
            grad = new float[grow(size)];
        }
        return grad;
    }

    static int grow(int size) {
        return (int) Math.min(Integer.MAX_VALUE - 8, size + (long) size / 4);
    }
}
