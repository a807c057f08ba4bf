package dev.ingot.runtime.kernels;

import dev.ingot.runtime.exec.Parallel;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The parallel driver of {@link Conv2d}: one reusable {@link Parallel.RangeTask} per calling thread holding the
 * arguments of the current call, the packed weights and tap offsets of the direct path, and the partial weight
 * gradients. NOTE: a capturing lambda would allocate on every call; the pool publishes these plain fields to its
 * workers with a volatile write, and {@link #clear} drops the array references after the call.
 *
 * <p>The pool runs one slot per thread. Forward and input-gradient slots claim work items one at a time from a
 * shared counter; weight-gradient slots take fixed ranges of items (see {@link #runSlot}). Items by mode:
 * <ul>
 *   <li>{@code *_IMAGES}: one image (GEMM and scalar paths);</li>
 *   <li>{@code FWD_DIRECT}, {@code BWDI_DIRECT}: an (image, group, part) triple, where a part is a contiguous
 *       range of 4-channel blocks; {@code parts > 1} only when there are fewer (image, group) pairs than threads;</li>
 *   <li>{@code BWDW_*}: an image (or (image, group) pair); each slot accumulates into its own partial gradient
 *       (transposed, {@code [K][ocg]} per group, on the GEMM path), and the partials of the slots that did any
 *       work are summed into dw at the end, in slot order.</li>
 * </ul>
 */
final class Conv2dJob implements Parallel.RangeTask {
    private static final ThreadLocal<Conv2dJob> TL = ThreadLocal.withInitial(Conv2dJob::new);

    private static final int FWD_IMAGES = 0;
    private static final int BWDI_IMAGES = 1;
    private static final int BWDW_IMAGES = 2;
    private static final int FWD_DIRECT = 3;
    private static final int BWDI_DIRECT = 4;
    private static final int BWDW_DIRECT = 5;

    private int mode;
    private boolean vector;
    private float[] in;
    private int inOff;
    private float[] w;
    private int wOff;
    private float[] out;
    private int outOff;
    private Conv2dShape s;
    private int batch;
    private int units;
    private int parts;
    private int blocks;
    /** Work items of the current call and the slots (threads) that claim them. */
    private int work;
    private int slots;
    private final AtomicInteger next = new AtomicInteger();
    private boolean[] used = new boolean[0];

    /** The forward call's epilogue (bias per output channel, activation). */
    private float[] bias;
    private int biasOff;
    private int act;

    private float[] packed = new float[0];
    private int[] taps = new int[0];
    private float[][] partials = new float[0][];

    static Conv2dJob get() {
        return TL.get();
    }

    private void set(int mode, float[] in, int inOff, float[] w, int wOff, float[] out, int outOff,
                     Conv2dShape s, int batch) {
        this.mode = mode;
        this.in = in;
        this.inOff = inOff;
        this.w = w;
        this.wOff = wOff;
        this.out = out;
        this.outOff = outOff;
        this.s = s;
        this.batch = batch;
    }

    private void clear() {
        in = null;
        w = null;
        out = null;
        s = null;
        bias = null;
        act = Epilogue.NONE;
    }

    /** Output channels [o0, o1) of image {@code n} are final: the epilogue, while they are in cache. */
    private void finish(int n, int o0, int o1) {
        int plane = s.oh() * s.ow();
        Epilogue.rows(out, outOff + n * s.oc() * plane, plane, o0, o1, bias, biasOff, act);
    }

    // ---- entry points -----------------------------------------------------------------------------------------

    void forward(Conv2dAlgo a, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff, Conv2dShape sh,
                 int n, float[] bias, int biasOff, int act) {
        Parallel pool = Parallel.get();
        int t = pool.threads();
        this.bias = bias;
        this.biasOff = biasOff;
        this.act = act;
        try {
            if (a == Conv2dAlgo.DIRECT) {
                set(FWD_DIRECT, x, xOff, wt, wtOff, y, yOff, sh, n);
                Conv2dDirect.packForward(wt, wtOff, sh, packed(sh.weightSize()));
                int wp = sh.w() + sh.padLeft() + sh.padRight();
                int hp = sh.h() + sh.padTop() + sh.padBottom();
                Conv2dDirect.taps(taps(sh.ckk()), sh.cg(), hp * wp, wp, sh.kh(), sh.kw(), sh.dilationH(),
                        sh.dilationW());
                splitChannels(sh.ocg(), n * sh.groups(), t);
                runItems(pool, units, t);
            } else {
                set(FWD_IMAGES, x, xOff, wt, wtOff, y, yOff, sh, n);
                vector = a == Conv2dAlgo.GEMM;
                if (vector && n < t) {
                    // NOTE: fewer images than threads: let each image's SGEMM split itself over the pool.
                    Conv2dScratch sc = Conv2dScratch.get();
                    for (int i = 0; i < n; i++) {
                        Conv2dGemm.forward(sc, true, x, xOff, wt, wtOff, y, yOff, sh, i);
                        finish(i, 0, sh.oc());
                    }
                } else {
                    runItems(pool, n, t);
                }
            }
        } finally {
            clear();
        }
    }

    void backwardInput(Conv2dAlgo a, float[] dy, int dyOff, float[] wt, int wtOff, float[] dx, int dxOff,
                       Conv2dShape sh, int n) {
        Parallel pool = Parallel.get();
        int t = pool.threads();
        try {
            if (a == Conv2dAlgo.DIRECT) {
                set(BWDI_DIRECT, dy, dyOff, wt, wtOff, dx, dxOff, sh, n);
                Conv2dDirect.packTransposed(wt, wtOff, sh, packed(sh.weightSize()));
                int hq = Conv2dDirect.hq(sh), wq = Conv2dDirect.wq(sh);
                Conv2dDirect.taps(taps(sh.ocg() * sh.kh() * sh.kw()), sh.ocg(), hq * wq, wq, sh.kh(), sh.kw(),
                        sh.dilationH(), sh.dilationW());
                splitChannels(sh.cg(), n * sh.groups(), t);
                runItems(pool, units, t);
            } else {
                set(BWDI_IMAGES, dy, dyOff, wt, wtOff, dx, dxOff, sh, n);
                vector = a == Conv2dAlgo.GEMM;
                if (vector && n < t) {
                    Conv2dScratch sc = Conv2dScratch.get();
                    for (int i = 0; i < n; i++) {
                        Conv2dGemm.backwardInput(sc, true, dy, dyOff, wt, wtOff, dx, dxOff, sh, i);
                    }
                } else {
                    runItems(pool, n, t);
                }
            }
        } finally {
            clear();
        }
    }

    void backwardWeight(Conv2dAlgo a, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff,
                        Conv2dShape sh, int n) {
        Parallel pool = Parallel.get();
        int t = pool.threads();
        try {
            if (a == Conv2dAlgo.DIRECT) {
                // NOTE: `w` carries dy here: in = x, w = dy, out = dw.
                set(BWDW_DIRECT, x, xOff, dy, dyOff, dw, dwOff, sh, n);
                int wp = sh.w() + sh.padLeft() + sh.padRight();
                int hp = sh.h() + sh.padTop() + sh.padBottom();
                int[] tp = taps(Conv2dDirect.tapPad(sh));
                Arrays.fill(tp, 0, Conv2dDirect.tapPad(sh), 0);
                Conv2dDirect.taps(tp, sh.cg(), hp * wp, wp, sh.kh(), sh.kw(), sh.dilationH(), sh.dilationW());
                partials(Math.min(t, n * sh.groups()), Conv2dDirect.partialSize(sh));
                runItems(pool, n * sh.groups(), t);
                Conv2dDirect.reduceWeightGrad(partials, compactPartials(), dw, dwOff, sh);
            } else {
                set(BWDW_IMAGES, x, xOff, dy, dyOff, dw, dwOff, sh, n);
                vector = a == Conv2dAlgo.GEMM;
                if (vector && n < t) {
                    // NOTE: fewer images than threads: each image's SGEMM splits itself over the pool.
                    partials(1, sh.weightSize());
                    Conv2dGemm.backwardWeightT(Conv2dScratch.get(), true, x, xOff, dy, dyOff, partials[0], 0, sh, 0,
                            n, false);
                    Conv2dGemm.untranspose(partials, 1, dw, dwOff, sh);
                } else {
                    partials(Math.min(t, n), sh.weightSize());
                    runItems(pool, n, t);
                    Conv2dGemm.untranspose(partials, compactPartials(), dw, dwOff, sh);
                }
            }
        } finally {
            clear();
        }
    }

    // ---- units ------------------------------------------------------------------------------------------------

    @Override
    public void run(int lo, int hi) {
        Conv2dScratch sc = Conv2dScratch.get();
        for (int slot = lo; slot < hi; slot++) {
            runSlot(sc, slot);
        }
    }

    /**
     * One slot's share. Forward and input-gradient items write disjoint outputs, so they are claimed one at a time
     * from {@link #next}: a thread that is descheduled for a while (the machine is shared) simply claims fewer
     * images instead of holding up the others, and the result does not depend on who ran what. Weight-gradient
     * items are summed, so each slot takes a fixed, contiguous range of items into its own partial, and the
     * partials are reduced in slot order: the gradient is bit-identical from run to run for a given thread count.
     */
    private void runSlot(Conv2dScratch sc, int slot) {
        if (mode == BWDW_IMAGES || mode == BWDW_DIRECT) {
            int lo = (int) ((long) work * slot / slots), hi = (int) ((long) work * (slot + 1) / slots);
            for (int i = lo; i < hi; i++) {
                runItem(sc, slot, i, i == lo);
            }
            used[slot] = hi > lo;
            return;
        }
        for (int i = next.getAndIncrement(); i < work; i = next.getAndIncrement()) {
            runItem(sc, slot, i, false);
        }
    }

    private void runItem(Conv2dScratch sc, int slot, int i, boolean first) {
        switch (mode) {
            case FWD_IMAGES:
                Conv2dGemm.forward(sc, vector, in, inOff, w, wOff, out, outOff, s, i);
                finish(i, 0, s.oc());
                break;
            case BWDI_IMAGES:
                Conv2dGemm.backwardInput(sc, vector, in, inOff, w, wOff, out, outOff, s, i);
                break;
            case BWDW_IMAGES:
                Conv2dGemm.backwardWeightT(sc, vector, in, inOff, w, wOff, partials[slot], 0, s, i, i + 1, !first);
                break;
            case FWD_DIRECT:
            case BWDI_DIRECT:
                directUnit(sc, i);
                break;
            case BWDW_DIRECT:
                if (first) {
                    Arrays.fill(partials[slot], 0, Conv2dDirect.partialSize(s), 0f);
                }
                Conv2dDirect.weightGrad(sc, in, inOff, w, wOff, taps, partials[slot], s, i, i + 1);
                break;
            default:
                throw new IllegalStateException("mode " + mode);
        }
    }

    /** Runs {@code items} work items over at most {@code threads} slots of the pool. */
    private void runItems(Parallel pool, int items, int threads) {
        work = items;
        slots = Math.max(1, Math.min(threads, items));
        if (used.length < slots) {
            used = new boolean[slots];
        }
        next.set(0);
        pool.forRange(slots, 1, this);
    }

    /** Moves the partials of the slots that did any work to the front; returns their number. */
    private int compactPartials() {
        int k = 0;
        for (int u = 0; u < slots; u++) {
            if (used[u]) {
                float[] p = partials[k];
                partials[k] = partials[u];
                partials[u] = p;
                k++;
            }
        }
        return k;
    }

    private void directUnit(Conv2dScratch sc, int u) {
        int pair = u / parts, part = u % parts;
        int n = pair / s.groups(), g = pair % s.groups();
        int per = mode == FWD_DIRECT ? s.ocg() : s.cg();
        int b0 = (int) ((long) blocks * part / parts), b1 = (int) ((long) blocks * (part + 1) / parts);
        int c0 = 4 * b0, c1 = Math.min(per, 4 * b1);
        if (c0 >= c1) {
            return;
        }
        if (mode == FWD_DIRECT) {
            Conv2dDirect.forward(sc, in, inOff, packed, taps, out, outOff, s, n, g, c0, c1);
            finish(n, g * s.ocg() + c0, g * s.ocg() + c1);
        } else {
            Conv2dDirect.backwardInput(sc, in, inOff, packed, taps, out, outOff, s, n, g, c0, c1);
        }
    }

    /** Splits each (image, group) pair's {@code per} output channels into parts when pairs are fewer than threads. */
    private void splitChannels(int per, int pairs, int threads) {
        blocks = (per + 3) / 4;
        parts = pairs >= threads ? 1 : Math.max(1, Math.min(blocks, (threads + pairs - 1) / pairs));
        units = pairs * parts;
    }

    // ---- buffers ----------------------------------------------------------------------------------------------

    private float[] packed(int size) {
        if (packed.length < size) {
            packed = new float[Conv2dScratch.grow(size)];
        }
        return packed;
    }

    private int[] taps(int size) {
        if (taps.length < size) {
            taps = new int[size];
        }
        return taps;
    }

    private void partials(int count, int size) {
        if (partials.length < count) {
            partials = Arrays.copyOf(partials, count);
        }
        for (int i = 0; i < count; i++) {
            if (partials[i] == null || partials[i].length < size) {
                partials[i] = new float[Conv2dScratch.grow(size)];
            }
        }
    }
}
