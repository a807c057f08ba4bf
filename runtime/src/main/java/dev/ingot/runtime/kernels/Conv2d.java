package dev.ingot.runtime.kernels;

import dev.ingot.runtime.exec.Parallel;

/**
 * 2-D convolution over NCHW activations with OIHW weights (PyTorch's layouts and semantics; see
 * {@link Conv2dShape}): forward, and the gradients with respect to the input and to the weights. No bias (a
 * separate broadcast add). Every method overwrites its output.
 *
 * <h2>Algorithms</h2>
 * <ul>
 *   <li><b>GEMM</b> ({@link Conv2dGemm}): per image, im2col into a per-thread column buffer and one SGEMM call
 *       ({@link MatMul}) per group; backward input is {@code W^T @ dy} followed by col2im; backward weight
 *       accumulates {@code dy @ col^T} over the images. 1x1 stride-1 convolutions use the input in place.</li>
 *   <li><b>DIRECT</b> ({@link Conv2dDirect}, stride 1 only): a Vector API convolution along "wide rows" of a
 *       zero-padded copy of the input, 4 output channels x 64 pixels per register block, no im2col; backward input
 *       is the same kernel run as a transposed convolution; backward weight takes 12 dot products at a time.</li>
 *   <li><b>SCALAR</b>: the GEMM algorithm with {@link MatMulScalar}; selected everywhere by
 *       {@code -Dingot.vector=false} (read once, as by {@link MatMul}).</li>
 * </ul>
 * {@link Conv2dAlgo#AUTO} picks DIRECT (stride 1 only) when the direct kernel's reduction is short, where a GEMM
 * cannot amortize im2col and packing: {@code cg*kh*kw <= }{@value #DIRECT_MAX_TAPS} for the forward pass,
 * {@code ocg*kh*kw <= }{@value #DIRECT_MAX_TAPS} for the input gradient (a transposed convolution reduces over the
 * output channels) and {@code cg*kh*kw <= }{@value #DIRECT_MAX_TAPS_WGRAD} for the weight gradient; GEMM
 * otherwise. Depthwise convolutions ({@code cg = 1}) therefore run direct. NOTE: measured at batch 64 on the
 * 2-core AVX-512 Xeon, JDK 17, one thread, best of 20 (benchmarks/CONV.md has the tables):
 * <pre>
 *   c -> oc, 3x3, HxW       forward GEMM/DIRECT   input grad GEMM/DIRECT   weight grad GEMM/DIRECT   (ms)
 *   1 -> 32, 28x28 valid     0.70 / 0.64            0.68 / 1.34              1.64 / 0.89
 *   3 -> 32, 32x32 same      2.55 / 2.48            2.30 / 4.62              3.63 / 2.88
 *   8 -> 32, 32x32 same      4.80 / 4.36            4.35 / 4.46              14.3 / 4.42
 *  16 -> 32, 32x32 same      8.70 / 9.62            8.45 / 16.3              9.30 / 8.99
 *  32 -> 64, 26x26 valid     14.4 / 19.4            13.6 / 23.4              15.3 / 19.5
 * </pre>
 *
 * <h2>Threads</h2>
 * Parallel over the {@link Parallel} pool: over images when the batch has at least as many images as threads
 * (each image's GEMM then runs on its worker thread, MatMul's nested call being inline); with fewer images, the
 * GEMM path runs the images one after another and lets each SGEMM split itself, and the direct path splits the
 * output channels of an image. Threads claim images one at a time from a shared counter (a descheduled thread on
 * a shared machine then does fewer images instead of delaying the call). For the weight gradient each thread
 * accumulates into its own partial result (on the GEMM path transposed, {@code dW^T = col @ dy^T}, which packs
 * better), and the partials are summed into dw at the end.
 *
 * <h2>Memory</h2>
 * No allocation after warm-up: scratch is per thread ({@link Conv2dScratch}); the task handed to the pool and the
 * packed weights live in a per-calling-thread {@link Conv2dJob}.
 */
public final class Conv2d {
    private Conv2d() {
    }

    /** Largest reduction length (taps) for which {@link Conv2dAlgo#AUTO} uses the direct forward / input kernels. */
    static final int DIRECT_MAX_TAPS = Integer.getInteger("ingot.conv.directMaxTaps", 96);
    /** Largest {@code cg*kh*kw} for which {@link Conv2dAlgo#AUTO} uses the direct weight-gradient kernel. */
    static final int DIRECT_MAX_TAPS_WGRAD = Integer.getInteger("ingot.conv.directMaxTapsWgrad", 160);

    /**
     * {@code y[n][o][oy][ox] = sum over ci in o's group, ky, kx of x[n][ci][oy*sh + ky*dh - padTop][ox*sw + kx*dw -
     * padLeft] * w[o][ci - g*cg][ky][kx]} (zero outside the input); overwrites y.
     */
    public static void forward(float[] x, int xOff, float[] w, int wOff, float[] y, int yOff, Conv2dShape s,
                               int batch) {
        forward(x, xOff, w, wOff, y, yOff, s, batch, Conv2dAlgo.AUTO);
    }

    /** {@link #forward(float[], int, float[], int, float[], int, Conv2dShape, int)} with a forced algorithm. */
    public static void forward(float[] x, int xOff, float[] w, int wOff, float[] y, int yOff, Conv2dShape s,
                               int batch, Conv2dAlgo algo) {
        forward(x, xOff, w, wOff, y, yOff, s, batch, algo, null, 0, Epilogue.NONE);
    }

    /**
     * {@link #forward(float[], int, float[], int, float[], int, Conv2dShape, int)} with an epilogue:
     * {@code y[n][o] = act(y[n][o] + bias[biasOff + o])} (no bias when null; {@code act} an {@link Epilogue}
     * code), applied to each image's channels by the thread that computed them.
     */
    public static void forward(float[] x, int xOff, float[] w, int wOff, float[] y, int yOff, Conv2dShape s,
                               int batch, float[] bias, int biasOff, int act) {
        forward(x, xOff, w, wOff, y, yOff, s, batch, Conv2dAlgo.AUTO, bias, biasOff, act);
    }

    /** With a forced algorithm and an epilogue. */
    public static void forward(float[] x, int xOff, float[] w, int wOff, float[] y, int yOff, Conv2dShape s,
                               int batch, Conv2dAlgo algo, float[] bias, int biasOff, int act) {
        check(x, xOff, s.inSize(), w, wOff, y, yOff, s.outSize(), s, batch, "x", "y");
        if (bias != null && (biasOff < 0 || biasOff + s.oc() > bias.length)) {
            throw new IndexOutOfBoundsException("bias of " + s.oc() + " channels at " + biasOff + " outside an array of " + bias.length);
        }
        if (batch == 0) {
            return;
        }
        Conv2dAlgo a = resolve(algo, s, s.ckk() <= DIRECT_MAX_TAPS);
        Conv2dJob.get().forward(a, x, xOff, w, wOff, y, yOff, s, batch, bias, biasOff, act);
    }

    /**
     * {@code dx} = gradient of {@code sum(y * dy)} with respect to x, where {@code y = forward(x, w)}: the
     * transposed convolution of dy with w; overwrites dx.
     */
    public static void backwardInput(float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff,
                                     Conv2dShape s, int batch) {
        backwardInput(dy, dyOff, w, wOff, dx, dxOff, s, batch, Conv2dAlgo.AUTO);
    }

    /** {@link #backwardInput(float[], int, float[], int, float[], int, Conv2dShape, int)} with a forced algorithm. */
    public static void backwardInput(float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff,
                                     Conv2dShape s, int batch, Conv2dAlgo algo) {
        check(dx, dxOff, s.inSize(), w, wOff, dy, dyOff, s.outSize(), s, batch, "dx", "dy");
        if (batch == 0) {
            return;
        }
        Conv2dAlgo a = resolve(algo, s, s.ocg() * s.kh() * s.kw() <= DIRECT_MAX_TAPS);
        Conv2dJob.get().backwardInput(a, dy, dyOff, w, wOff, dx, dxOff, s, batch);
    }

    /**
     * {@code dw} = gradient of {@code sum(y * dy)} with respect to w, summed over the batch; overwrites dw (zero for
     * batch 0).
     */
    public static void backwardWeight(float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff,
                                      Conv2dShape s, int batch) {
        backwardWeight(x, xOff, dy, dyOff, dw, dwOff, s, batch, Conv2dAlgo.AUTO);
    }

    /** {@link #backwardWeight(float[], int, float[], int, float[], int, Conv2dShape, int)} with a forced algorithm. */
    public static void backwardWeight(float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff,
                                      Conv2dShape s, int batch, Conv2dAlgo algo) {
        check(x, xOff, s.inSize(), dw, dwOff, dy, dyOff, s.outSize(), s, batch, "x", "dy");
        if (batch == 0) {
            java.util.Arrays.fill(dw, dwOff, dwOff + s.weightSize(), 0f);
            return;
        }
        Conv2dAlgo a = resolve(algo, s, s.ckk() <= DIRECT_MAX_TAPS_WGRAD);
        Conv2dJob.get().backwardWeight(a, x, xOff, dy, dyOff, dw, dwOff, s, batch);
    }

    /** Whether {@link Conv2dAlgo#DIRECT} can run {@code s} (stride 1). */
    public static boolean supportsDirect(Conv2dShape s) {
        return Conv2dDirect.supports(s);
    }

    /**
     * The algorithm that runs: AUTO by the rule of the class comment ({@code fewTaps}: the direct kernel's reduction
     * is short enough); SCALAR whenever the vector path is off.
     */
    static Conv2dAlgo resolve(Conv2dAlgo algo, Conv2dShape s, boolean fewTaps) {
        if (algo == Conv2dAlgo.SCALAR || !Conv2dKernels.ENABLED) {
            return Conv2dAlgo.SCALAR;
        }
        if (algo == Conv2dAlgo.DIRECT) {
            if (!Conv2dDirect.supports(s)) {
                throw new IllegalArgumentException("the direct convolution needs stride 1, got " + s.strideH() + "x"
                        + s.strideW());
            }
            return algo;
        }
        if (algo == Conv2dAlgo.GEMM) {
            return algo;
        }
        boolean direct = Conv2dDirect.supports(s) && fewTaps;
        return direct ? Conv2dAlgo.DIRECT : Conv2dAlgo.GEMM;
    }

    private static void check(float[] in, int inOff, int inSize, float[] w, int wOff, float[] out, int outOff,
                              int outSize, Conv2dShape s, int batch, String inName, String outName) {
        if (s == null) {
            throw new NullPointerException("shape");
        }
        if (batch < 0) {
            throw new IllegalArgumentException("batch must be >= 0, got " + batch);
        }
        extent(inName, in, inOff, (long) inSize * batch);
        extent("w", w, wOff, s.weightSize());
        extent(outName, out, outOff, (long) outSize * batch);
    }

    private static void extent(String name, float[] a, int off, long size) {
        if (a == null) {
            throw new NullPointerException(name);
        }
        if (off < 0 || off + size > a.length) {
            throw new IndexOutOfBoundsException(name + ": offset " + off + " + " + size + " elements exceeds length "
                    + a.length);
        }
    }
}
