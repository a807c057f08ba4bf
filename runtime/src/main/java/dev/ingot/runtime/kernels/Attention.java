package dev.ingot.runtime.kernels;

import dev.ingot.runtime.exec.Parallel;

/**
 * Fused multi-head scaled dot-product attention, forward and backward, flash-attention style on the CPU: for each
 * (image, head) pair and each query row, the scores against the keys, the mask, the softmax and the weighted sum of
 * the values are computed in one pass over a row held in a small per-thread buffer, so the {@code [batch, heads,
 * t, s]} scores and probabilities never exist in memory. Heads are read and written in place in the {@code [batch,
 * t, heads * d]} projections ({@link AttentionShape}): no split or merge copies.
 *
 * <p>The backward pass recomputes each row's probabilities from the queries and keys (the same code as the forward
 * pass, so the same bits), then {@code dP = dO V^T}, {@code D = dO . O}, {@code dS = P (dP - D)}, and
 * {@code dq = scale dS K}, {@code dk += scale dS^T q}, {@code dv += P^T dO}.
 *
 * <p>Work is split over the {@code batch * heads} pairs ({@link Parallel#forRange}); each pair writes only its own
 * head's columns, so the result does not depend on the thread count or on who runs which pair. A causal call skips
 * the keys after each query (half the work at {@code t = s}). {@code vector} selects the Vector API kernels
 * ({@link AttentionLanes}) or the plain Java ones ({@link AttentionScalar}), which never load a Vector API class.
 * Allocates nothing after warm-up (per-thread buffers that grow on demand).
 */
public final class Attention {
    private Attention() {
    }

    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@code o = attention(q, k, v, mask)} for {@code batch} images (see {@link AttentionShape} for the layouts);
     * {@code mask} may be null.
     */
    public static void forward(AttentionShape sh, int batch, float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                               float[] mask, int maskOff, float[] o, int oOff, boolean vector) {
        Job job = JOB.get();
        job.set(sh, batch, q, qOff, k, kOff, v, vOff, mask, maskOff, o, oOff, vector);
        job.check(o, oOff, (long) sh.t() * sh.ev(), "o");
        job.backward = false;
        run(job, batch * sh.heads());
    }

    /**
     * The gradients of {@link #forward} given its output {@code o} and the output's gradient {@code dO}:
     * <ul>
     *   <li>into {@code grad} (unless null), per image, {@code dq [t, heads * dk]}, then {@code dk [s, heads * dk]},
     *       then {@code dv [s, heads * dv]} ({@link AttentionShape#packedGradient} elements per image);</li>
     *   <li>into {@code dMask} (unless null) the gradient of the scores {@code [batch, heads, t, s]} (that of the
     *       additive mask before it is summed over the dimensions the mask broadcasts over).</li>
     * </ul>
     */
    public static void backward(AttentionShape sh, int batch, float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                                float[] mask, int maskOff, float[] o, int oOff, float[] dO, int dOOff,
                                float[] grad, int gradOff, float[] dMask, int dMaskOff, boolean vector) {
        Job job = JOB.get();
        job.set(sh, batch, q, qOff, k, kOff, v, vOff, mask, maskOff, o, oOff, vector);
        long rows = (long) sh.t() * sh.ev();
        job.check(o, oOff, rows, "o");
        job.check(dO, dOOff, rows, "dO");
        if (grad != null) {
            job.check(grad, gradOff, sh.packedGradient(), "grad");
        }
        if (dMask != null) {
            job.check(dMask, dMaskOff, (long) sh.heads() * sh.t() * sh.s(), "dMask");
        }
        job.dO = dO;
        job.dOOff = dOOff;
        job.grad = grad;
        job.gradOff = gradOff;
        job.dMask = dMask;
        job.dMaskOff = dMaskOff;
        job.backward = true;
        run(job, batch * sh.heads());
    }

    private static void run(Job job, int pairs) {
        try {
            Parallel.get().forRange(pairs, 1, job);
        } finally {
            job.clear();
        }
    }

    /** The arguments of one call, as a reusable task over {@code [0, batch * heads)} (no lambda, no allocation). */
    static final class Job implements Parallel.RangeTask {
        AttentionShape sh;
        int batch;
        float[] q, k, v, mask, o, dO, grad, dMask;
        int qOff, kOff, vOff, maskOff, oOff, dOOff, gradOff, dMaskOff;
        boolean vector, backward;

        void set(AttentionShape sh, int batch, float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                 float[] mask, int maskOff, float[] o, int oOff, boolean vector) {
            if (batch < 0) {
                throw new IllegalArgumentException("negative batch " + batch);
            }
            this.sh = sh;
            this.batch = batch;
            this.q = q;
            this.qOff = qOff;
            this.k = k;
            this.kOff = kOff;
            this.v = v;
            this.vOff = vOff;
            this.mask = mask;
            this.maskOff = maskOff;
            this.o = o;
            this.oOff = oOff;
            this.vector = vector;
            check(q, qOff, (long) sh.t() * sh.e(), "q");
            check(k, kOff, (long) sh.s() * sh.e(), "k");
            check(v, vOff, (long) sh.s() * sh.ev(), "v");
            if (mask != null && batch > 0) {
                long last = maskOff + (long) (batch - 1) * sh.maskB() + (long) (sh.heads() - 1) * sh.maskH()
                        + (long) (sh.t() - 1) * sh.maskT() + (long) (sh.s() - 1) * sh.maskS();
                if (maskOff < 0 || last >= mask.length) {
                    throw new IndexOutOfBoundsException("attention mask: element " + last + " outside an array of " + mask.length);
                }
            }
        }

        /** {@code batch} blocks of {@code perImage} elements at {@code off} must lie inside {@code a}. */
        void check(float[] a, int off, long perImage, String what) {
            if (off < 0 || off + perImage * batch > a.length) {
                throw new IndexOutOfBoundsException("attention " + what + ": " + batch + " x " + perImage + " elements at " + off
                        + " outside an array of " + a.length);
            }
        }

        void clear() {
            q = k = v = mask = o = dO = grad = dMask = null;
        }

        @Override
        public void run(int lo, int hi) {
            Scratch s = SCRATCH.get();
            int heads = sh.heads();
            for (int p = lo; p < hi; p++) {
                int b = p / heads, h = p % heads;
                if (vector) {
                    if (backward) {
                        AttentionLanes.backward(this, b, h, s);
                    } else {
                        AttentionLanes.forward(this, b, h, s);
                    }
                } else if (backward) {
                    AttentionScalar.backward(this, b, h, s);
                } else {
                    AttentionScalar.forward(this, b, h, s);
                }
            }
        }

        /** Offset of query row {@code i} of head {@code h} of image {@code b} (also of dq in the packed gradient). */
        int qRow(int b, int i, int h) {
            return (b * sh.t() + i) * sh.e() + h * sh.dk();
        }

        int kRow(int b, int j, int h) {
            return (b * sh.s() + j) * sh.e() + h * sh.dk();
        }

        int vRow(int b, int j, int h) {
            return (b * sh.s() + j) * sh.ev() + h * sh.dv();
        }

        int oRow(int b, int i, int h) {
            return (b * sh.t() + i) * sh.ev() + h * sh.dv();
        }

        /** Offsets into the packed gradient of image {@code b}: dq row {@code i}, dk row {@code j}, dv row {@code j}. */
        int dqRow(int b, int i, int h) {
            return gradOff + b * sh.packedGradient() + i * sh.e() + h * sh.dk();
        }

        int dkRow(int b, int j, int h) {
            return gradOff + b * sh.packedGradient() + sh.t() * sh.e() + j * sh.e() + h * sh.dk();
        }

        int dvRow(int b, int j, int h) {
            return gradOff + b * sh.packedGradient() + (sh.t() + sh.s()) * sh.e() + j * sh.ev() + h * sh.dv();
        }

        /** Mask offset of row {@code i} of head {@code h} of image {@code b} (add {@code j * maskS}). */
        int maskRow(int b, int h, int i) {
            return maskOff + b * sh.maskB() + h * sh.maskH() + i * sh.maskT();
        }
    }

    /** Per-thread buffers; contents are garbage between uses. */
    static final class Scratch {
        /** {@link AttentionScalar}: one row's probabilities and score gradients. */
        float[] probs = new float[0], dp = new float[0];
        /**
         * {@link AttentionLanes}: a block's scores or probabilities and their gradients ({@code [keys][L]}), its
         * transposed queries or output gradients ({@code [d][L]}), 1 / sum per lane, and L ones.
         */
        float[] lst = new float[0], ldst = new float[0], xt = new float[0];
        final float[] linv = new float[Simd.L], lones = new float[Simd.L];

        Scratch() {
            java.util.Arrays.fill(lones, 1f);
        }

        /** Grows {@link #probs} and {@link #dp} for {@code keys} keys. */
        void ensure(int keys) {
            if (probs.length < keys) {
                probs = new float[Conv2dScratch.grow(keys)];
                dp = new float[probs.length];
            }
        }

        /** Grows {@link #lst}, {@link #ldst} for {@code keys} keys and {@link #xt} for head width {@code d}. */
        void ensureLanes(int keys, int d) {
            if (lst.length < keys * Simd.L) {
                lst = new float[Conv2dScratch.grow(keys * Simd.L)];
                ldst = new float[lst.length];
            }
            if (xt.length < d * Simd.L) {
                xt = new float[Conv2dScratch.grow(d * Simd.L)];
            }
        }
    }
}
