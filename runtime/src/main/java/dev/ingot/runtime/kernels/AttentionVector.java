package dev.ingot.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
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
    /** Query rows (forward, backward) and keys (the keys' gradients) handled together, sharing every load. */
    static final int R = 4;
    /** Query rows whose probability and score-gradient tiles are kept at a time in the backward pass (L2-sized). */
    static final int CHUNK = 64;
    /** Simd.sum's butterfly shuffles (lane i with lane i ^ d). */
    private static final VectorShuffle<Float> X1 = Simd.xor(1), X2 = Simd.xor(2), X4 = Simd.xor(4), X8 = Simd.xor(8), X16 = Simd.xor(16);

    static void forward(Attention.Job j, int b, int h, Attention.Scratch s) {
        AttentionShape sh = j.sh;
        int t = sh.t(), dv = sh.dv(), ev = sh.ev(), sp = roundUp(sh.s());
        s.ensure(sp, sh.dk(), dv);
        transpose(j.k, j.kOff + j.kRow(b, 0, h), sh.e(), sh.s(), sh.dk(), s.kt, sp);
        int vo = j.vOff + j.vRow(b, 0, h);
        for (int i = 0; i < t; i += R) {
            int rows = Math.min(R, t - i), n = sh.keys(i + rows - 1);
            probabilities(j, b, h, i, rows, sp, s);
            weightedSum(j.v, vo, ev, s.probs, 0, sp, 1, rows, n, dv, s.inv, false, j.o, j.oOff + j.oRow(b, i, h), ev);
        }
    }

    static void backward(Attention.Job j, int b, int h, Attention.Scratch s) {
        AttentionShape sh = j.sh;
        int t = sh.t(), sl = sh.s(), dk = sh.dk(), dv = sh.dv(), e = sh.e(), ev = sh.ev(), sp = roundUp(sl);
        s.ensure(sp, dk, dv);
        s.ensureColumns(Math.min(t, CHUNK) * sp);
        transpose(j.k, j.kOff + j.kRow(b, 0, h), e, sl, dk, s.kt, sp);
        transpose(j.v, j.vOff + j.vRow(b, 0, h), ev, sl, dv, s.vt, sp);
        boolean qkv = j.grad != null;
        if (qkv) {
            for (int key = 0; key < sl; key++) {
                java.util.Arrays.fill(j.grad, j.dkRow(b, key, h), j.dkRow(b, key, h) + dk, 0f);
                java.util.Arrays.fill(j.grad, j.dvRow(b, key, h), j.dvRow(b, key, h) + dv, 0f);
            }
        }
        for (int i0 = 0; i0 < t; i0 += CHUNK) {
            int i1 = Math.min(t, i0 + CHUNK);
            queryRows(j, b, h, i0, i1, sp, s);
            if (qkv) {
                keyColumns(j, b, h, i0, i1, sp, s);
            }
        }
    }

    /**
     * Backward over query rows {@code [i0, i1)}: probabilities {@code P} and score gradients {@code dS = P (dO V^T -
     * D)} into the tiles {@code s.pt} and {@code s.dst} (scaled; row {@code i} at {@code (i - i0) * sp}), the mask's
     * gradient, and {@code dq = scale dS K}.
     */
    private static void queryRows(Attention.Job j, int b, int h, int i0, int i1, int sp, Attention.Scratch s) {
        AttentionShape sh = j.sh;
        int t = sh.t(), sl = sh.s(), dk = sh.dk(), dv = sh.dv(), e = sh.e(), ev = sh.ev();
        float[] p = s.probs, ds = s.dp, sc = s.scores, pt = s.pt, dst = s.dst;
        int ko = j.kOff + j.kRow(b, 0, h);
        for (int i = i0; i < i1; i += R) {
            int rows = Math.min(R, i1 - i), n = sh.keys(i + rows - 1), nv = roundUp(n);
            probabilities(j, b, h, i, rows, sp, s);
            int oo = j.oRow(b, i, h), go = j.dOOff + oo, tile = (i - i0) * sp;   // row i + r of the tiles, as key runs from r * sp
            keyScores(s.vt, sp, nv, j.dO, go, ev, rows, dv, sc);
            for (int r = 0; r < rows; r++) {
                FloatVector dot = FloatVector.broadcast(F, dot(j.dO, go + r * ev, j.o, j.oOff + oo + r * ev, dv, s.lanes));
                float inv = s.inv[r];
                for (int key = r * sp; key < r * sp + nv; key += L) {
                    FloatVector pv = FloatVector.fromArray(F, p, key).mul(inv);
                    FloatVector dsv = pv.mul(FloatVector.fromArray(F, sc, key).sub(dot));
                    pv.intoArray(pt, tile + key);
                    dsv.mul(sh.scale()).intoArray(dst, tile + key);
                    if (j.dMask != null) {
                        dsv.intoArray(ds, key);
                    }
                }
                if (j.dMask != null) {
                    int nr = sh.keys(i + r), mo = j.dMaskOff + ((b * sh.heads() + h) * t + i + r) * sl;
                    for (int key = 0; key < sl; key++) {
                        j.dMask[mo + key] = key < nr ? ds[r * sp + key] : 0f;
                    }
                }
            }
            if (j.grad != null) {
                weightedSum(j.k, ko, e, dst, tile, sp, 1, rows, n, dk, s.ones, false, j.grad, j.dqRow(b, i, h), e);
            }
        }
    }

    /**
     * The keys' gradients from query rows {@code [i0, i1)}: {@code dk_j += sum_i scale dS_ij q_i} and {@code dv_j +=
     * sum_i P_ij dO_i} over the rows that see key {@code j}, {@link #R} keys at a time, reading the tiles by columns.
     */
    private static void keyColumns(Attention.Job j, int b, int h, int i0, int i1, int sp, Attention.Scratch s) {
        AttentionShape sh = j.sh;
        int e = sh.e(), ev = sh.ev(), last = sh.keys(i1 - 1);
        int qo = j.qOff + j.qRow(b, 0, h), go = j.dOOff + j.oRow(b, 0, h);
        for (int key = 0; key < last; key += R) {
            int keys = Math.min(R, last - key), from = sh.causal() ? Math.max(i0, key) : i0;
            if (from >= i1) {
                break;
            }
            int w = (from - i0) * sp + key;
            weightedSum(j.q, qo + from * e, e, s.dst, w, 1, sp, keys, i1 - from, sh.dk(), s.ones, true, j.grad, j.dkRow(b, key, h), e);
            weightedSum(j.dO, go + from * ev, ev, s.pt, w, 1, sp, keys, i1 - from, sh.dv(), s.ones, true, j.grad, j.dvRow(b, key, h), ev);
        }
    }

    /**
     * Rows {@code i .. i + rows - 1}'s unnormalized probabilities {@code e_j = exp(score_j - max)} into {@code s.probs}
     * (row {@code r} at {@code r * sp}; 0 from the row's last key to the block's last whole vector), {@code 1 / sum_j
     * e_j} into {@code s.inv[r]}.
     */
    private static void probabilities(Attention.Job j, int b, int h, int i, int rows, int sp, Attention.Scratch s) {
        AttentionShape sh = j.sh;
        int dk = sh.dk(), nv = roundUp(sh.keys(i + rows - 1));
        float[] qs = s.qs, sc = s.scores;
        for (int r = 0; r < rows; r++) {
            int qo = j.qOff + j.qRow(b, i + r, h);
            for (int c = 0; c < dk; c++) {
                qs[r * dk + c] = j.q[qo + c] * sh.scale();
            }
        }
        keyScores(s.kt, sp, nv, qs, 0, dk, rows, dk, sc);
        for (int r = 0; r < rows; r++) {
            int n = sh.keys(i + r), o = r * sp;
            if (j.mask != null) {
                int mo = j.maskRow(b, h, i + r), ms = sh.maskS();
                for (int key = 0; key < n; key++) {
                    sc[o + key] += j.mask[mo + key * ms];
                }
            }
            for (int key = n; key < nv; key++) {
                sc[o + key] = Float.NEGATIVE_INFINITY;
            }
            s.inv[r] = softmaxRow(sc, o, nv, s.probs, s.lanes);
        }
    }

    /** {@code p[o + key] = exp(x[o + key] - max)} for {@code key < nv} (whole vectors); returns {@code 1 / sum}. */
    private static float softmaxRow(float[] sc, int o, int nv, float[] p, float[] lanes) {
        FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int key = o; key < o + nv; key += L) {
            mv = mv.max(FloatVector.fromArray(F, sc, key));
        }
        float max = mv.reduceLanes(VectorOperators.MAX);
        if (max == Float.NEGATIVE_INFINITY) {
            max = 0f;   // every key masked: 0 / 0 gives NaN, as softmax does
        }
        FloatVector sum = FloatVector.zero(F);
        for (int key = o; key < o + nv; key += L) {
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
        // NOTE: Simd.sum's butterfly written out: not through memory (a vector stored and read back lane by lane
        // stalls on store forwarding: a quarter of the forward pass's time), and not a call (C2 did not inline
        // Simd.sum here and boxed the vector: 96 bytes a row)
        if (L > 16) sum = sum.add(sum.rearrange(X16));
        if (L > 8) sum = sum.add(sum.rearrange(X8));
        if (L > 4) sum = sum.add(sum.rearrange(X4));
        if (L > 2) sum = sum.add(sum.rearrange(X2));
        if (L > 1) sum = sum.add(sum.rearrange(X1));
        return 1f / sum.lane(0);
    }

    /**
     * {@code out[r * sp + key] = sum_c x[xo + r * xs + c] * mt[c * sp + key]} for {@code r < rows}, {@code key < nv}
     * (whole vectors): rows of products against the transposed keys or values. Each loaded vector of {@code mt}
     * serves up to {@link #R} rows, and two vectors of keys are done together (up to eight FMA chains in flight).
     */
    private static void keyScores(float[] mt, int sp, int nv, float[] x, int xo, int xs, int rows, int d, float[] out) {
        if (rows < R) {
            for (int r = 0; r < rows; r++) {
                keyScores1(mt, sp, nv, x, xo + r * xs, d, out, r * sp);
            }
            return;
        }
        int key = 0;
        for (; key + 2 * L <= nv; key += 2 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int c = 0; c < d; c++) {
                FloatVector m = FloatVector.fromArray(F, mt, c * sp + key), m2 = FloatVector.fromArray(F, mt, c * sp + key + L);
                FloatVector x0 = FloatVector.broadcast(F, x[xo + c]), x1 = FloatVector.broadcast(F, x[xo + xs + c]);
                FloatVector x2 = FloatVector.broadcast(F, x[xo + 2 * xs + c]), x3 = FloatVector.broadcast(F, x[xo + 3 * xs + c]);
                a0 = m.fma(x0, a0);
                a1 = m.fma(x1, a1);
                a2 = m.fma(x2, a2);
                a3 = m.fma(x3, a3);
                b0 = m2.fma(x0, b0);
                b1 = m2.fma(x1, b1);
                b2 = m2.fma(x2, b2);
                b3 = m2.fma(x3, b3);
            }
            a0.intoArray(out, key);
            a1.intoArray(out, sp + key);
            a2.intoArray(out, 2 * sp + key);
            a3.intoArray(out, 3 * sp + key);
            b0.intoArray(out, key + L);
            b1.intoArray(out, sp + key + L);
            b2.intoArray(out, 2 * sp + key + L);
            b3.intoArray(out, 3 * sp + key + L);
        }
        for (; key < nv; key += L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0; c < d; c++) {
                FloatVector m = FloatVector.fromArray(F, mt, c * sp + key);
                a0 = m.fma(FloatVector.broadcast(F, x[xo + c]), a0);
                a1 = m.fma(FloatVector.broadcast(F, x[xo + xs + c]), a1);
                a2 = m.fma(FloatVector.broadcast(F, x[xo + 2 * xs + c]), a2);
                a3 = m.fma(FloatVector.broadcast(F, x[xo + 3 * xs + c]), a3);
            }
            a0.intoArray(out, key);
            a1.intoArray(out, sp + key);
            a2.intoArray(out, 2 * sp + key);
            a3.intoArray(out, 3 * sp + key);
        }
    }

    /** One row of {@link #keyScores}, into {@code out[oo + key]}; four partial sums over {@code c}. */
    private static void keyScores1(float[] mt, int sp, int nv, float[] x, int xo, int d, float[] out, int oo) {
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
            a0.add(a1).add(a2.add(a3)).intoArray(out, oo + key);
        }
    }

    /**
     * {@code out[oo + r * os + c] = scale[r] * sum_{key < n} w[wo + r * ws + key] * rows[ro + key * stride + c]} for
     * {@code r < nr}, {@code c < d}: weighted sums of {@code n} rows (values by probabilities, keys by score gradients,
     * queries and output gradients by columns of those). Each loaded vector of {@code rows} serves up to {@link #R}
     * outputs, two vectors of {@code c} at a time.
     */
    private static void weightedSum(float[] rows, int ro, int stride, float[] w, int wo, int ws, int wk, int nr, int n, int d, float[] scale,
                                    boolean acc, float[] out, int oo, int os) {
        if (nr < R) {
            for (int r = 0; r < nr; r++) {
                weightedSum1(rows, ro, stride, w, wo + r * ws, wk, n, d, scale[r], acc, out, oo + r * os);
            }
            return;
        }
        int dvec = d - d % L, c = 0;
        for (; c + 2 * L <= dvec; c += 2 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int key = 0; key < n; key++) {
                int r = ro + key * stride + c, k = wo + key * wk;
                FloatVector m = FloatVector.fromArray(F, rows, r), m2 = FloatVector.fromArray(F, rows, r + L);
                FloatVector w0 = FloatVector.broadcast(F, w[k]), w1 = FloatVector.broadcast(F, w[k + ws]);
                FloatVector w2 = FloatVector.broadcast(F, w[k + 2 * ws]), w3 = FloatVector.broadcast(F, w[k + 3 * ws]);
                a0 = m.fma(w0, a0);
                a1 = m.fma(w1, a1);
                a2 = m.fma(w2, a2);
                a3 = m.fma(w3, a3);
                b0 = m2.fma(w0, b0);
                b1 = m2.fma(w1, b1);
                b2 = m2.fma(w2, b2);
                b3 = m2.fma(w3, b3);
            }
            (a0.mul(scale[0])).add(acc ? FloatVector.fromArray(F, out, oo + c) : FloatVector.zero(F)).intoArray(out, oo + c);
            (a1.mul(scale[1])).add(acc ? FloatVector.fromArray(F, out, oo + os + c) : FloatVector.zero(F)).intoArray(out, oo + os + c);
            (a2.mul(scale[2])).add(acc ? FloatVector.fromArray(F, out, oo + 2 * os + c) : FloatVector.zero(F)).intoArray(out, oo + 2 * os + c);
            (a3.mul(scale[3])).add(acc ? FloatVector.fromArray(F, out, oo + 3 * os + c) : FloatVector.zero(F)).intoArray(out, oo + 3 * os + c);
            (b0.mul(scale[0])).add(acc ? FloatVector.fromArray(F, out, oo + c + L) : FloatVector.zero(F)).intoArray(out, oo + c + L);
            (b1.mul(scale[1])).add(acc ? FloatVector.fromArray(F, out, oo + os + c + L) : FloatVector.zero(F)).intoArray(out, oo + os + c + L);
            (b2.mul(scale[2])).add(acc ? FloatVector.fromArray(F, out, oo + 2 * os + c + L) : FloatVector.zero(F)).intoArray(out, oo + 2 * os + c + L);
            (b3.mul(scale[3])).add(acc ? FloatVector.fromArray(F, out, oo + 3 * os + c + L) : FloatVector.zero(F)).intoArray(out, oo + 3 * os + c + L);
        }
        for (; c < dvec; c += L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int key = 0; key < n; key++) {
                FloatVector m = FloatVector.fromArray(F, rows, ro + key * stride + c);
                int k = wo + key * wk;
                a0 = m.fma(FloatVector.broadcast(F, w[k]), a0);
                a1 = m.fma(FloatVector.broadcast(F, w[k + ws]), a1);
                a2 = m.fma(FloatVector.broadcast(F, w[k + 2 * ws]), a2);
                a3 = m.fma(FloatVector.broadcast(F, w[k + 3 * ws]), a3);
            }
            (a0.mul(scale[0])).add(acc ? FloatVector.fromArray(F, out, oo + c) : FloatVector.zero(F)).intoArray(out, oo + c);
            (a1.mul(scale[1])).add(acc ? FloatVector.fromArray(F, out, oo + os + c) : FloatVector.zero(F)).intoArray(out, oo + os + c);
            (a2.mul(scale[2])).add(acc ? FloatVector.fromArray(F, out, oo + 2 * os + c) : FloatVector.zero(F)).intoArray(out, oo + 2 * os + c);
            (a3.mul(scale[3])).add(acc ? FloatVector.fromArray(F, out, oo + 3 * os + c) : FloatVector.zero(F)).intoArray(out, oo + 3 * os + c);
        }
        for (; c < d; c++) {
            for (int r = 0; r < R; r++) {
                float sum = 0f;
                for (int key = 0; key < n; key++) {
                    sum = Math.fma(w[wo + r * ws + key * wk], rows[ro + key * stride + c], sum);
                }
                out[oo + r * os + c] = sum * scale[r] + (acc ? out[oo + r * os + c] : 0f);
            }
        }
    }

    /** One output of {@link #weightedSum}; four partial sums over the keys. */
    private static void weightedSum1(float[] rows, int ro, int stride, float[] w, int wo, int wk, int n, int d, float scale, boolean acc, float[] out, int oo) {
        int dvec = d - d % L;
        for (int c = 0; c < dvec; c += L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int key = 0;
            for (; key + 4 <= n; key += 4) {
                int r = ro + key * stride + c;
                a0 = FloatVector.fromArray(F, rows, r).fma(FloatVector.broadcast(F, w[wo + key * wk]), a0);
                a1 = FloatVector.fromArray(F, rows, r + stride).fma(FloatVector.broadcast(F, w[wo + (key + 1) * wk]), a1);
                a2 = FloatVector.fromArray(F, rows, r + 2 * stride).fma(FloatVector.broadcast(F, w[wo + (key + 2) * wk]), a2);
                a3 = FloatVector.fromArray(F, rows, r + 3 * stride).fma(FloatVector.broadcast(F, w[wo + (key + 3) * wk]), a3);
            }
            for (; key < n; key++) {
                a0 = FloatVector.fromArray(F, rows, ro + key * stride + c).fma(FloatVector.broadcast(F, w[wo + key * wk]), a0);
            }
            (a0.add(a1).add(a2.add(a3)).mul(scale)).add(acc ? FloatVector.fromArray(F, out, oo + c) : FloatVector.zero(F)).intoArray(out, oo + c);
        }
        for (int c = dvec; c < d; c++) {
            float sum = 0f;
            for (int key = 0; key < n; key++) {
                sum = Math.fma(w[wo + key * wk], rows[ro + key * stride + c], sum);
            }
            out[oo + c] = sum * scale + (acc ? out[oo + c] : 0f);
        }
    }

    /** {@code sum_c x[xo + c] * y[yo + c]}, lanes added in a fixed order (through {@code lanes}). */
    private static float dot(float[] x, int xo, float[] y, int yo, int d, float[] lanes) {
        int dvec = d - d % L;
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < dvec; c += L) {
            acc = FloatVector.fromArray(F, x, xo + c).fma(FloatVector.fromArray(F, y, yo + c), acc);
        }
        // Simd.sum written out, as in softmaxRow
        if (L > 16) acc = acc.add(acc.rearrange(X16));
        if (L > 8) acc = acc.add(acc.rearrange(X8));
        if (L > 4) acc = acc.add(acc.rearrange(X4));
        if (L > 2) acc = acc.add(acc.rearrange(X2));
        if (L > 1) acc = acc.add(acc.rearrange(X1));
        float r = acc.lane(0);
        for (int c = dvec; c < d; c++) {
            r = Math.fma(x[xo + c], y[yo + c], r);
        }
        return r;
    }

    /** {@code dst[c * sp + j] = src[off + j * stride + c]} for {@code j < rows}, zero for {@code rows <= j < sp}. */
    private static void transpose(float[] src, int off, int stride, int rows, int d, float[] dst, int sp) {
        int r = 0;
        if (MatMulTranspose.ENABLED) {
            // whole 16 x 16 tiles in registers, the rest element by element
            int cv = d - d % 16;
            for (; r + 16 <= rows; r += 16) {
                for (int c = 0; c < cv; c += 16) {
                    MatMulTranspose.tile(src, off + r * stride + c, stride, dst, c * sp + r, sp);
                }
                for (int j = r; j < r + 16; j++) {
                    for (int c = cv; c < d; c++) {
                        dst[c * sp + j] = src[off + j * stride + c];
                    }
                }
            }
        }
        for (; r < rows; r++) {
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
