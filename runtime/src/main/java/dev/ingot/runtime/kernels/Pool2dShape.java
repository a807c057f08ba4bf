package dev.ingot.runtime.kernels;

/**
 * Static description of 2-D pooling windows over NCHW activations: {@code c} channels of {@code h x w}, a
 * {@code kh x kw} window moved by {@code strideH x strideW}, and (possibly asymmetric) padding. Output size by
 * PyTorch's formula with {@code ceil_mode=false}: {@code oh = (h + padTop + padBottom - kh) / strideH + 1}.
 *
 * <p>As in PyTorch, each padding may be at most half the window ({@code padTop <= kh / 2} etc.), which guarantees
 * that every window overlaps the input: max pooling never sees a window of padding only.
 */
public record Pool2dShape(int c, int h, int w, int kh, int kw, int strideH, int strideW,
                          int padTop, int padLeft, int padBottom, int padRight) {

    /** Validates sizes, strides and padding; see the class comment. */
    public Pool2dShape {
        positive("c (channels)", c);
        positive("h (input height)", h);
        positive("w (input width)", w);
        positive("kh (window height)", kh);
        positive("kw (window width)", kw);
        positive("strideH", strideH);
        positive("strideW", strideW);
        if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("padding must be >= 0, got top=" + padTop + " left=" + padLeft
                    + " bottom=" + padBottom + " right=" + padRight);
        }
        if (padTop > kh / 2 || padBottom > kh / 2 || padLeft > kw / 2 || padRight > kw / 2) {
            throw new IllegalArgumentException("padding must be at most half the window (" + kh + "x" + kw
                    + "), got top=" + padTop + " left=" + padLeft + " bottom=" + padBottom + " right=" + padRight);
        }
        if ((long) h + padTop + padBottom < kh || (long) w + padLeft + padRight < kw) {
            throw new IllegalArgumentException("the window " + kh + "x" + kw + " is larger than the padded input "
                    + ((long) h + padTop + padBottom) + "x" + ((long) w + padLeft + padRight));
        }
        if ((long) c * h * w > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("pooling input too large for int indexing: " + c + "x" + h + "x" + w);
        }
    }

    private static void positive(String what, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + v);
        }
    }

    /** Output height (floor division, ceil_mode=false). */
    public int oh() {
        return (h + padTop + padBottom - kh) / strideH + 1;
    }

    /** Output width (floor division, ceil_mode=false). */
    public int ow() {
        return (w + padLeft + padRight - kw) / strideW + 1;
    }

    /** Elements of one input image. */
    public int inSize() {
        return c * h * w;
    }

    /** Elements of one output image. */
    public int outSize() {
        return c * oh() * ow();
    }

    /** Whether this is the common non-overlapping 2x2, stride 2, unpadded window (which has a fast path). */
    public boolean is2x2() {
        return kh == 2 && kw == 2 && strideH == 2 && strideW == 2 && padTop == 0 && padLeft == 0 && padBottom == 0
                && padRight == 0;
    }

    /** A square {@code k x k} window with stride {@code stride} and symmetric padding {@code pad}. */
    public static Pool2dShape of(int c, int h, int w, int k, int stride, int pad) {
        return new Pool2dShape(c, h, w, k, k, stride, stride, pad, pad, pad, pad);
    }
}
