package dev.ingot.runtime.kernels;

import dev.ingot.runtime.exec.Parallel;

/**
 * 2-D max and average pooling over NCHW activations, with PyTorch's semantics (see {@link Pool2dShape}): max
 * pooling pads with -inf, average pooling counts padded zeros ({@code count_include_pad=true}), and
 * {@code ceil_mode=false}. Every method overwrites its output.
 *
 * <h2>Algorithm</h2>
 * Each (image, channel) plane is independent: the planes are split over the {@link Parallel} pool in contiguous
 * chunks of at least ~16K input elements. Within a plane, a direct loop over the windows ({@link Pool2dKernels}).
 * The max-pooling gradient recomputes each window's argmax from x (no index buffer is kept between forward and
 * backward), with PyTorch's tie rule: the first maximum in row-major window order receives the gradient;
 * overlapping windows accumulate. The common 2x2 stride-2 unpadded window has its own Vector API kernels
 * ({@link Pool2dMax2x2}: flattened rows, even/odd column shuffles, compare+blend maxima; the backward writes every
 * element of dx once, without clearing it first) and branch-free scalar ones.
 *
 * <p>{@code ingot.vector=false} selects the scalar loops (the same ones, minus the vector block). Allocation-free:
 * the task handed to the pool is a per-calling-thread {@link Job}.
 */
public final class Pool2d {
    private Pool2d() {
    }

    /** Minimum input elements per parallel chunk (smaller pools run on the calling thread). */
    private static final int MIN_CHUNK_ELEMS = 1 << 14;

    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);

    /** {@code y = max over each window of x}; overwrites y. */
    public static void maxForward(float[] x, int xOff, float[] y, int yOff, Pool2dShape s, int batch) {
        maxForward(x, xOff, y, yOff, s, batch, Conv2dKernels.ENABLED);
    }

    /**
     * Gradient of max pooling: each window's dy is added to dx at the window's (first) maximum of x, accumulated
     * where windows overlap; overwrites dx. Recomputes the argmax from x.
     */
    public static void maxBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff,
                                   Pool2dShape s, int batch) {
        maxBackward(x, xOff, dy, dyOff, dx, dxOff, s, batch, Conv2dKernels.ENABLED);
    }

    /** {@code y = mean over each window of x}, padded zeros included (divisor kh*kw); overwrites y. */
    public static void avgForward(float[] x, int xOff, float[] y, int yOff, Pool2dShape s, int batch) {
        check(x, xOff, s.inSize(), y, yOff, s.outSize(), batch, "x", "y");
        run(Job.AVG, x, xOff, null, 0, y, yOff, s, batch, false);
    }

    /** Gradient of average pooling: {@code dy / (kh*kw)} spread over each window, accumulated; overwrites dx. */
    public static void avgBackward(float[] dy, int dyOff, float[] dx, int dxOff, Pool2dShape s, int batch) {
        check(dx, dxOff, s.inSize(), dy, dyOff, s.outSize(), batch, "dx", "dy");
        run(Job.AVG_BACK, null, 0, dy, dyOff, dx, dxOff, s, batch, false);
    }

    /** {@link #maxForward(float[], int, float[], int, Pool2dShape, int)} with the vector block on or off (tests). */
    static void maxForward(float[] x, int xOff, float[] y, int yOff, Pool2dShape s, int batch, boolean vector) {
        check(x, xOff, s.inSize(), y, yOff, s.outSize(), batch, "x", "y");
        run(Job.MAX, x, xOff, null, 0, y, yOff, s, batch, vector && Conv2dKernels.ENABLED);
    }

    /** {@link #maxBackward(float[], int, float[], int, float[], int, Pool2dShape, int)}, vector block on or off. */
    static void maxBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, Pool2dShape s,
                            int batch, boolean vector) {
        check(x, xOff, s.inSize(), dy, dyOff, s.outSize(), batch, "x", "dy");
        extent("dx", dx, dxOff, (long) s.inSize() * batch);
        run(Job.MAX_BACK, x, xOff, dy, dyOff, dx, dxOff, s, batch, vector && Conv2dKernels.ENABLED);
    }

    private static void run(int mode, float[] x, int xOff, float[] dy, int dyOff, float[] out, int outOff,
                            Pool2dShape s, int batch, boolean vector) {
        int planes = batch * s.c();
        if (planes == 0) {
            return;
        }
        Job job = JOB.get();
        job.mode = mode;
        job.x = x;
        job.xOff = xOff;
        job.dy = dy;
        job.dyOff = dyOff;
        job.out = out;
        job.outOff = outOff;
        job.s = s;
        job.vector = vector;
        try {
            Parallel.get().forRange(planes, Math.max(1, MIN_CHUNK_ELEMS / (s.h() * s.w())), job);
        } finally {
            job.x = null;
            job.dy = null;
            job.out = null;
            job.s = null;
        }
    }

    private static void check(float[] in, int inOff, int inSize, float[] out, int outOff, int outSize, int batch,
                              String inName, String outName) {
        if (batch < 0) {
            throw new IllegalArgumentException("batch must be >= 0, got " + batch);
        }
        extent(inName, in, inOff, (long) inSize * batch);
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

    /**
     * The arguments of one call as a reusable {@link Parallel.RangeTask} over planes. NOTE: a capturing lambda
     * would allocate per call.
     */
    private static final class Job implements Parallel.RangeTask {
        static final int MAX = 0;
        static final int MAX_BACK = 1;
        static final int AVG = 2;
        static final int AVG_BACK = 3;

        int mode;
        float[] x;
        int xOff;
        float[] dy;
        int dyOff;
        float[] out;
        int outOff;
        Pool2dShape s;
        boolean vector;

        @Override
        public void run(int lo, int hi) {
            int in = s.h() * s.w(), o = s.oh() * s.ow();
            boolean two = s.is2x2();
            boolean vec = two && vector && Pool2dMax2x2.fits(s.h(), s.w());
            float[][] sc = vec ? Pool2dMax2x2.scratch(s.oh() * s.w()) : null;
            for (int p = lo; p < hi; p++) {
                switch (mode) {
                    case MAX:
                        if (vec) {
                            Pool2dMax2x2.forward(x, xOff + p * in, out, outOff + p * o, s.h(), s.w(), sc);
                        } else if (two) {
                            Pool2dKernels.max2x2(x, xOff + p * in, out, outOff + p * o, s.h(), s.w());
                        } else {
                            Pool2dKernels.maxPlane(x, xOff + p * in, out, outOff + p * o, s);
                        }
                        break;
                    case MAX_BACK:
                        if (vec) {
                            Pool2dMax2x2.backward(x, xOff + p * in, dy, dyOff + p * o, out, outOff + p * in,
                                    s.h(), s.w(), sc);
                        } else if (two) {
                            Pool2dKernels.maxBack2x2(x, xOff + p * in, dy, dyOff + p * o, out, outOff + p * in,
                                    s.h(), s.w());
                        } else {
                            Pool2dKernels.maxBackPlane(x, xOff + p * in, dy, dyOff + p * o, out, outOff + p * in, s);
                        }
                        break;
                    case AVG:
                        Pool2dKernels.avgPlane(x, xOff + p * in, out, outOff + p * o, s);
                        break;
                    case AVG_BACK:
                        Pool2dKernels.avgBackPlane(dy, dyOff + p * o, out, outOff + p * in, s);
                        break;
                    default:
                        throw new IllegalStateException("mode " + mode);
                }
            }
        }
    }
}
