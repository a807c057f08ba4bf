package dev.ingot.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API cores of {@link Attention}: one (image, head) pair, forward or backward.
 *
 * <p>The head's keys (and, backward, values) are first transposed into a per-thread buffer {@code [d][sp]} ({@code
 * sp}: the key count rounded up to whole vectors, zero-padded), so that a query row's scores against all keys are
 * {@code d} vector FMAs per vector of keys (a broadcast query element times a row of the transposed keys) instead of
 * one horizontal dot product per key. Keys past a row's last one ({@link AttentionShape#keys}) are set to minus
 * infinity, so whole vectors are processed and no scalar tail is needed; their probability is exactly 0. The
 * weighted sums over keys ({@code P V}, {@code dS K}, and the {@code dk}, {@code dv} updates) run along the head
 * width, a row of {@code v} or {@code k} times a broadcast probability, with a scalar tail when the head width is not
 * a whole number of vectors.
 *
 * <p>The exponential is written out here, not called: the lane-wise twin of {@link ScalarMath#exp} (Cephes' expf
 * with the same operations in the same order as the generated code's, see the compiler's {@code
 * VectorPolynomials}), because a helper that C2 does not inline would box its vectors, and
 * {@code lanewise(EXP)} gives different bits in different JIT tiers. Sums of lanes use {@link Simd#sum} (a fixed
 * order), for the same reason.
 */
final class AttentionVector {
    private AttentionVector() {
    }

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;

    static void forward(Attention.Job j, int b, int h, Attention.Scratch s) {
        AttentionShape sh = j.sh;
        int dv = sh.dv(), ev = sh.ev(), sp = roundUp(sh.s());
        s.ensure(sp, sh.dk(), dv);
        transpose(j.k, j.kOff + j.kRow(b, 0, h), sh.e(), sh.s(), sh.dk(), s.kt, sp);
        float[] p = s.probs;
        int vo = j.vOff + j.vRow(b, 0, h);
        for (int i = 0; i < sh.t(); i++) {
            int n = sh.keys(i);
            float inv = probabilities(j, b, h, i, n, sp, s);
            weightedSum(j.v, vo, ev, p, 0, n, dv, inv, j.o, j.oOff + j.oRow(b, i, h));
        }
    }

    static void backward(Attention.Job j, int b, int h, Attention.Scratch s) {
        AttentionShape sh = j.sh;
        int t = sh.t(), dk = sh.dk(), dv = sh.dv(), e = sh.e(), ev = sh.ev(), sp = roundUp(sh.s());
        s.ensure(sp, dk, dv);
        s.ensureColumns(sh.s() * t);
        transpose(j.k, j.kOff + j.kRow(b, 0, h), e, sh.s(), dk, s.kt, sp);
        transpose(j.v, j.vOff + j.vRow(b, 0, h), ev, sh.s(), dv, s.vt, sp);
        float[] p = s.probs, ds = s.dp, pt = s.pt, dst = s.dst;
        boolean qkv = j.grad != null;
        int ko = j.kOff + j.kRow(b, 0, h);
        // rows: each query's probabilities and score gradients, dq; columns kept for the keys' pass
        for (int i = 0; i < t; i++) {
            int n = sh.keys(i), nv = roundUp(n);
            float inv = probabilities(j, b, h, i, n, sp, s);
            int oo = j.oRow(b, i, h), go = j.dOOff + oo;
            FloatVector dotV = FloatVector.broadcast(F, dot(j.dO, go, j.o, j.oOff + oo, dv, s.lanes));
            keyScores(s.vt, sp, nv, j.dO, go, dv, s.scores);
            for (int key = 0; key < nv; key += L) {
                FloatVector pv = FloatVector.fromArray(F, p, key).mul(inv);
                pv.intoArray(p, key);
                pv.mul(FloatVector.fromArray(F, s.scores, key).sub(dotV)).intoArray(ds, key);
            }
            if (j.dMask != null) {
                int mo = j.dMaskOff + ((b * sh.heads() + h) * t + i) * sh.s();
                for (int key = 0; key < sh.s(); key++) {
                    j.dMask[mo + key] = key < n ? ds[key] : 0f;
                }
            }
            if (qkv) {
                weightedSum(j.k, ko, e, ds, 0, n, dk, sh.scale(), j.grad, j.dqRow(b, i, h));
                for (int key = 0; key < n; key++) {
                    pt[key * t + i] = p[key];
                    dst[key * t + i] = ds[key] * sh.scale();
                }
            }
        }
        if (!qkv) {
            return;
        }
        // keys: dk_j = sum_i scale dS_ij q_i and dv_j = sum_i P_ij dO_i over the queries that see key j
        int qo = j.qOff + j.qRow(b, 0, h), go = j.dOOff + j.oRow(b, 0, h);
        for (int key = 0; key < sh.s(); key++) {
            int from = sh.causal() ? Math.min(key, t) : 0;
            weightedSum(j.q, qo + from * e, e, dst, key * t + from, t - from, dk, 1f, j.grad, j.dkRow(b, key, h));
            weightedSum(j.dO, go + from * ev, ev, pt, key * t + from, t - from, dv, 1f, j.grad, j.dvRow(b, key, h));
        }
    }

    /**
     * Row {@code i}'s unnormalized probabilities {@code e_j = exp(score_j - max)} into {@code s.probs[0, roundUp(n))}
     * (0 past key {@code n}), the scaled query row into {@code s.qs}; returns {@code 1 / sum_j e_j}.
     */
    private static float probabilities(Attention.Job j, int b, int h, int i, int n, int sp, Attention.Scratch s) {
        AttentionShape sh = j.sh;
        int dk = sh.dk(), nv = roundUp(n), qo = j.qOff + j.qRow(b, i, h);
        float[] qs = s.qs, kt = s.kt, sc = s.scores, p = s.probs;
        for (int c = 0; c < dk; c++) {
            qs[c] = j.q[qo + c] * sh.scale();
        }
        keyScores(kt, sp, nv, qs, 0, dk, sc);
        if (j.mask != null) {
            int mo = j.maskRow(b, h, i), ms = sh.maskS();
            for (int key = 0; key < n; key++) {
                sc[key] += j.mask[mo + key * ms];
            }
        }
        for (int key = n; key < nv; key++) {
            sc[key] = Float.NEGATIVE_INFINITY;
        }
        FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int key = 0; key < nv; key += L) {
            mv = mv.max(FloatVector.fromArray(F, sc, key));
        }
        float max = mv.reduceLanes(VectorOperators.MAX);
        if (max == Float.NEGATIVE_INFINITY) {
            max = 0f;   // every key masked: 0 / 0 gives NaN, as softmax does
        }
        FloatVector sum = FloatVector.zero(F);
        for (int key = 0; key < nv; key += L) {
            FloatVector a = FloatVector.fromArray(F, sc, key).sub(max);
            // exp(a), the lane-wise twin of ScalarMath.exp
            FloatVector x = a.max(ScalarMath.EXP_LO).min(ScalarMath.EXP_HI);
            FloatVector t = x.mul(1.44269504088896341f).add(12582912f);
            FloatVector nn = t.sub(12582912f);
            FloatVector r = nn.fma(FloatVector.broadcast(F, -0.693359375f), x);
            r = nn.fma(FloatVector.broadcast(F, 2.12194440e-4f), r);
            FloatVector y = FloatVector.broadcast(F, 1.9875691500E-4f);
            y = y.fma(r, FloatVector.broadcast(F, 1.3981999507E-3f));
            y = y.fma(r, FloatVector.broadcast(F, 8.3334519073E-3f));
            y = y.fma(r, FloatVector.broadcast(F, 4.1665795894E-2f));
            y = y.fma(r, FloatVector.broadcast(F, 1.6666665459E-1f));
            y = y.fma(r, FloatVector.broadcast(F, 5.0000001201E-1f));
            y = y.fma(r.mul(r), r).add(1f);
            IntVector ni = t.reinterpretAsInts().sub(0x4B400000);
            IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = ni.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector ex = y.mul(s1).mul(s2).blend(0f, a.compare(VectorOperators.LT, ScalarMath.EXP_LO))
                    .blend(Float.POSITIVE_INFINITY, a.compare(VectorOperators.GT, ScalarMath.EXP_HI));
            ex.intoArray(p, key);
            sum = sum.add(ex);
        }
        // NOTE: not Simd.sum(sum): a vector passed to a method C2 does not inline here is boxed (48 bytes a row)
        sum.intoArray(s.lanes, 0);
        float total = 0f;
        for (int l = 0; l < L; l++) {
            total += s.lanes[l];
        }
        return 1f / total;
    }

    /**
     * {@code out[key] = sum_c x[xo + c] * mt[c * sp + key]} for {@code key < nv} (whole vectors): one row of
     * products against the transposed keys or values. Four partial sums over {@code c} keep four FMA chains in flight
     * (one chain would wait on the FMA latency for each element); they are added in a fixed order.
     */
    private static void keyScores(float[] mt, int sp, int nv, float[] x, int xo, int d, float[] out) {
        for (int key = 0; key < nv; key += L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int c = 0;
            for (; c + 4 <= d; c += 4) {
                int m = c * sp + key;
                a0 = FloatVector.fromArray(F, mt, m).fma(FloatVector.broadcast(F, x[xo + c]), a0);
                a1 = FloatVector.fromArray(F, mt, m + sp).fma(FloatVector.broadcast(F, x[xo + c + 1]), a1);
                a2 = FloatVector.fromArray(F, mt, m + 2 * sp).fma(FloatVector.broadcast(F, x[xo + c + 2]), a2);
                a3 = FloatVector.fromArray(F, mt, m + 3 * sp).fma(FloatVector.broadcast(F, x[xo + c + 3]), a3);
            }
            for (; c < d; c++) {
                a0 = FloatVector.fromArray(F, mt, c * sp + key).fma(FloatVector.broadcast(F, x[xo + c]), a0);
            }
            a0.add(a1).add(a2.add(a3)).intoArray(out, key);
        }
    }

    /**
     * {@code out[oo + c] = scale * sum_{key < n} w[key] * rows[ro + key * stride + c]} for {@code c < d}: a weighted sum
     * of {@code n} rows (values by probabilities, keys by score gradients), four partial sums over the keys.
     */
    private static void weightedSum(float[] rows, int ro, int stride, float[] w, int wo, int n, int d, float scale, float[] out, int oo) {
        int dvec = d - d % L;
        for (int c = 0; c < dvec; c += L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int key = 0;
            for (; key + 4 <= n; key += 4) {
                int r = ro + key * stride + c;
                a0 = FloatVector.fromArray(F, rows, r).fma(FloatVector.broadcast(F, w[wo + key]), a0);
                a1 = FloatVector.fromArray(F, rows, r + stride).fma(FloatVector.broadcast(F, w[wo + key + 1]), a1);
                a2 = FloatVector.fromArray(F, rows, r + 2 * stride).fma(FloatVector.broadcast(F, w[wo + key + 2]), a2);
                a3 = FloatVector.fromArray(F, rows, r + 3 * stride).fma(FloatVector.broadcast(F, w[wo + key + 3]), a3);
            }
            for (; key < n; key++) {
                a0 = FloatVector.fromArray(F, rows, ro + key * stride + c).fma(FloatVector.broadcast(F, w[wo + key]), a0);
            }
            a0.add(a1).add(a2.add(a3)).mul(scale).intoArray(out, oo + c);
        }
        for (int c = dvec; c < d; c++) {
            float acc = 0f;
            for (int key = 0; key < n; key++) {
                acc = Math.fma(w[wo + key], rows[ro + key * stride + c], acc);
            }
            out[oo + c] = acc * scale;
        }
    }

    /** {@code sum_c x[xo + c] * y[yo + c]}, lanes added in a fixed order (through {@code lanes}). */
    private static float dot(float[] x, int xo, float[] y, int yo, int d, float[] lanes) {
        int dvec = d - d % L;
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < dvec; c += L) {
            acc = FloatVector.fromArray(F, x, xo + c).fma(FloatVector.fromArray(F, y, yo + c), acc);
        }
        acc.intoArray(lanes, 0);
        float r = 0f;
        for (int l = 0; l < L; l++) {
            r += lanes[l];
        }
        for (int c = dvec; c < d; c++) {
            r = Math.fma(x[xo + c], y[yo + c], r);
        }
        return r;
    }

    /** {@code dst[c * sp + j] = src[off + j * stride + c]} for {@code j < rows}, zero for {@code rows <= j < sp}. */
    private static void transpose(float[] src, int off, int stride, int rows, int d, float[] dst, int sp) {
        for (int r = 0; r < rows; r++) {
            int o = off + r * stride;
            for (int c = 0; c < d; c++) {
                dst[c * sp + r] = src[o + c];
            }
        }
        for (int c = 0; c < d; c++) {
            java.util.Arrays.fill(dst, c * sp + rows, c * sp + sp, 0f);
        }
    }

    private static int roundUp(int n) {
        return (n + L - 1) / L * L;
    }
}
