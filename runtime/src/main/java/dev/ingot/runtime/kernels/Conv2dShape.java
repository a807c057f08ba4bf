package dev.ingot.runtime.kernels;

/**
 * Static description of a 2-D convolution over NCHW activations with OIHW weights (PyTorch's layouts):
 * <ul>
 *   <li>input {@code x[n][c][h][w]},</li>
 *   <li>weights {@code w[oc][c / groups][kh][kw]},</li>
 *   <li>output {@code y[n][oc][oh][ow]} with PyTorch's size formula
 *       {@code oh = (h + padTop + padBottom - dilationH * (kh - 1) - 1) / strideH + 1} (likewise {@code ow}).</li>
 * </ul>
 * Output channel {@code o} of group {@code g = o / (oc / groups)} sees input channels
 * {@code [g * c / groups, (g + 1) * c / groups)}. Padding may be asymmetric (TensorFlow-style "same" padding of an
 * even kernel). Created once per call site (a {@code static final} in generated code); the compact constructor
 * validates everything so that the kernels need not.
 */
public record Conv2dShape(int c, int h, int w, int oc, int kh, int kw, int strideH, int strideW,
                          int padTop, int padLeft, int padBottom, int padRight, int dilationH, int dilationW,
                          int groups) {

    /** Validates sizes, strides, dilations, padding and groups; see the class comment. */
    public Conv2dShape {
        positive("c (input channels)", c);
        positive("h (input height)", h);
        positive("w (input width)", w);
        positive("oc (output channels)", oc);
        positive("kh (kernel height)", kh);
        positive("kw (kernel width)", kw);
        positive("strideH", strideH);
        positive("strideW", strideW);
        positive("dilationH", dilationH);
        positive("dilationW", dilationW);
        positive("groups", groups);
        if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("padding must be >= 0, got top=" + padTop + " left=" + padLeft
                    + " bottom=" + padBottom + " right=" + padRight);
        }
        if (c % groups != 0 || oc % groups != 0) {
            throw new IllegalArgumentException("c=" + c + " and oc=" + oc + " must both be divisible by groups="
                    + groups);
        }
        long effH = (long) dilationH * (kh - 1) + 1;
        long effW = (long) dilationW * (kw - 1) + 1;
        if ((long) h + padTop + padBottom < effH || (long) w + padLeft + padRight < effW) {
            throw new IllegalArgumentException("the dilated kernel " + effH + "x" + effW
                    + " is larger than the padded input " + ((long) h + padTop + padBottom) + "x"
                    + ((long) w + padLeft + padRight) + " (output would be empty)");
        }
        long ohL = outSize(h, padTop + padBottom, effH, strideH);
        long owL = outSize(w, padLeft + padRight, effW, strideW);
        long ckk = (long) (c / groups) * kh * kw;
        // NOTE: per-image sizes (and the im2col buffer ckk x oh*ow) must fit int indexing with room to spare.
        long largest = Math.max(Math.max((long) c * h * w, (long) oc * ohL * owL),
                Math.max((long) oc * ckk, ckk * ohL * owL));
        if (largest > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("convolution too large for int indexing: c=" + c + " h=" + h + " w="
                    + w + " oc=" + oc + " kernel " + kh + "x" + kw + " (" + largest + " elements per image)");
        }
    }

    private static long outSize(long in, long pad, long eff, long stride) {
        return (in + pad - eff) / stride + 1;
    }

    private static void positive(String what, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + v);
        }
    }

    /** Output height (PyTorch's formula, floor division). */
    public int oh() {
        return (h + padTop + padBottom - dilationH * (kh - 1) - 1) / strideH + 1;
    }

    /** Output width (PyTorch's formula, floor division). */
    public int ow() {
        return (w + padLeft + padRight - dilationW * (kw - 1) - 1) / strideW + 1;
    }

    /** Input channels per group. */
    public int cg() {
        return c / groups;
    }

    /** Output channels per group. */
    public int ocg() {
        return oc / groups;
    }

    /** Length of one row of the weight matrix: {@code c / groups * kh * kw} (the GEMM's K in forward). */
    public int ckk() {
        return c / groups * kh * kw;
    }

    /** Elements of one input image: {@code c * h * w}. */
    public int inSize() {
        return c * h * w;
    }

    /** Elements of one output image: {@code oc * oh * ow}. */
    public int outSize() {
        return oc * oh() * ow();
    }

    /** Elements of the weight tensor: {@code oc * c / groups * kh * kw}. */
    public int weightSize() {
        return oc * ckk();
    }

    /** Multiply-adds of one image's forward pass (each backward kernel does the same number). */
    public long macsPerImage() {
        return (long) oc * ckk() * oh() * ow();
    }

    /** A stride-1, dilation-1 convolution with symmetric padding {@code pad}, one group. */
    public static Conv2dShape of(int c, int h, int w, int oc, int k, int pad) {
        return new Conv2dShape(c, h, w, oc, k, k, 1, 1, pad, pad, pad, pad, 1, 1, 1);
    }
}
