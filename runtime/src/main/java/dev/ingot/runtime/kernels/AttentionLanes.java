package dev.ingot.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API cores of {@link Attention} with the <em>queries in the lanes</em>: one (image, head) pair is processed
 * in blocks of {@code L} query rows (16 with 512-bit vectors), and every tile of scores or probabilities is held
 * transposed, {@code [key][L]}: row {@code j} holds key {@code j}'s score for the block's L queries. So the softmax
 * over the keys (max, exponentials, sum) is lane-wise work down the rows, with no horizontal reduction and no
 * per-row dependency chain, and all four products are broadcast-times-vector FMAs:
 * <pre>
 *   scores  S^T[j][:]  = sum_c k[j][c] * Q^T[c][:]        (Q^T: the block's queries, transposed and scaled)
 *   output  O^T[c][:]  = sum_j v[j][c] * P^T[j][:]        then scaled by 1/sum and transposed into o's rows
 *   backward dP^T[j][:] = sum_c v[j][c] * dO^T[c][:],  D = sum_j P^T[j] * dP^T[j],  dS^T = P^T (dP^T - D)
 *            dq^T[c][:] = scale sum_j k[j][c] * dS^T[j][:]
 *            dk[j][c]  += scale sum_i dS^T[j][i] q[i][c],   dv[j][c] += sum_i P^T[j][i] dO[i][c]
 * </pre>
 * Keys and values are read in place (rows of the {@code [batch, s, heads * d]} projections); only the block's
 * queries, output gradients and results are transposed, 16 x 16 tiles in registers on JDK 25
 * ({@link MatMulTranspose}). Measured on the 2-core Xeon (one core, JDK 25), one call on char_transformer's shapes
 * ({@code [32, 64, 4 x 32]}, causal): forward 1.42 -> 0.74 ms and backward 2.83 -> 1.75 ms against the row-wise
 * kernel it replaced (a block of four query rows, whose softmax per row was a chain of horizontal max and sum
 * reductions).
 *
 * <p>An additive mask tensor is added to the scores before the softmax (one value per key for all lanes when it is the
 * same for every query, as a key-padding mask is; lane by lane otherwise), and its gradient, when asked for, is
 * written row by row; a causal mask is the {@code causal} attribute, not a tensor. The backward pass
 * recomputes the probabilities from the queries and keys with the same code as the forward pass. Lanes past the last
 * query of a partial block hold zero queries; their results are never stored and they add nothing to the keys'
 * gradients.
 */
final class AttentionLanes {
    private AttentionLanes() {
    }

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;
    /** Lane numbers 0, 1, .., L - 1 as floats (for the causal mask of the block's diagonal keys). */
    private static final FloatVector IOTA = iota();

    private static FloatVector iota() {
        float[] lanes = new float[L];
        for (int i = 0; i < L; i++) {
            lanes[i] = i;
        }
        return FloatVector.fromArray(F, lanes, 0);
    }

    static void forward(Attention.Job j, int b, int h, Attention.Scratch s) {
        AttentionShape sh = j.sh;
        int t = sh.t(), dv = sh.dv(), ev = sh.ev();
        s.ensureLanes(sh.s(), Math.max(sh.dk(), dv));
        int vo = j.vOff + j.vRow(b, 0, h);
        for (int i0 = 0; i0 < t; i0 += L) {
            int cnt = Math.min(L, t - i0), n = sh.keys(i0 + cnt - 1);
            probabilities(j, b, h, i0, cnt, n, s);
            queryRows(s.lst, n, seen(sh, i0), cnt, j.v, vo, ev, dv, s.linv, 1f, j.o, j.oOff + j.oRow(b, i0, h), ev);
        }
    }

    static void backward(Attention.Job j, int b, int h, Attention.Scratch s) {
        AttentionShape sh = j.sh;
        int t = sh.t(), sl = sh.s(), dk = sh.dk(), dv = sh.dv(), e = sh.e(), ev = sh.ev();
        s.ensureLanes(sl, Math.max(dk, dv));
        int ko = j.kOff + j.kRow(b, 0, h), vo = j.vOff + j.vRow(b, 0, h);
        boolean qkv = j.grad != null;
        if (qkv) {
            for (int key = 0; key < sl; key++) {
                java.util.Arrays.fill(j.grad, j.dkRow(b, key, h), j.dkRow(b, key, h) + dk, 0f);
                java.util.Arrays.fill(j.grad, j.dvRow(b, key, h), j.dvRow(b, key, h) + dv, 0f);
            }
        }
        float[] st = s.lst, dst = s.ldst;
        for (int i0 = 0; i0 < t; i0 += L) {
            int cnt = Math.min(L, t - i0), n = sh.keys(i0 + cnt - 1);
            probabilities(j, b, h, i0, cnt, n, s);
            FloatVector inv = FloatVector.fromArray(F, s.linv, 0);
            for (int key = 0; key < n; key++) {
                FloatVector.fromArray(F, st, key * L).mul(inv).intoArray(st, key * L);
            }
            int go = j.dOOff + j.oRow(b, i0, h);
            toLanes(j.dO, go, ev, cnt, dv, 1f, s.xt);
            scores(j.v, vo, ev, dv, s.xt, n, dst);
            // dS = P (dP - D), D = sum_j P dP (= dO . O for each query)
            FloatVector d = FloatVector.zero(F);
            for (int key = 0; key < n; key++) {
                d = FloatVector.fromArray(F, st, key * L).fma(FloatVector.fromArray(F, dst, key * L), d);
            }
            for (int key = 0; key < n; key++) {
                FloatVector p = FloatVector.fromArray(F, st, key * L);
                p.mul(FloatVector.fromArray(F, dst, key * L).sub(d)).intoArray(dst, key * L);
            }
            if (j.dMask != null) {
                // the scores' gradient, [batch, heads, t, s]: 0 for the keys a query does not see
                for (int r = 0; r < cnt; r++) {
                    int nr = sh.keys(i0 + r), mo = j.dMaskOff + ((b * sh.heads() + h) * t + i0 + r) * sl;
                    for (int key = 0; key < sl; key++) {
                        j.dMask[mo + key] = key < nr ? dst[key * L + r] : 0f;
                    }
                }
            }
            if (qkv) {
                queryRows(dst, n, seen(sh, i0), cnt, j.k, ko, e, dk, s.lones, sh.scale(), j.grad, j.dqRow(b, i0, h), e);
                keyGradient(dst, n, seen(sh, i0), cnt, j.q, j.qOff + j.qRow(b, i0, h), e, dk, sh.scale(), j.grad, j.dkRow(b, 0, h), e);
                keyGradient(st, n, seen(sh, i0), cnt, j.dO, go, ev, dv, 1f, j.grad, j.dvRow(b, 0, h), ev);
            }
        }
    }

    /**
     * Lane {@code r} of the block starting at query {@code i0} sees keys {@code [0, seen + r + 1)}: {@code i0} when
     * causal, else a bound past every key. The products skip what no lane of a group of lanes (or keys) sees: there the
     * probabilities and score gradients are exactly 0.
     */
    private static int seen(AttentionShape sh, int i0) {
        return sh.causal() ? i0 : sh.s();
    }

    /**
     * The block's probabilities, unnormalized: {@code s.lst[j * L + r] = exp(score - max)} of query {@code i0 + r}
     * and key {@code j < n} (0 for a key after the query when causal) into {@code s.lst}, and {@code 1 / sum} per
     * lane into {@code s.linv}.
     */
    private static void probabilities(Attention.Job j, int b, int h, int i0, int cnt, int n, Attention.Scratch s) {
        AttentionShape sh = j.sh;
        int dk = sh.dk(), e = sh.e();
        float[] st = s.lst;
        toLanes(j.q, j.qOff + j.qRow(b, i0, h), e, cnt, dk, sh.scale(), s.xt);
        scores(j.k, j.kOff + j.kRow(b, 0, h), e, dk, s.xt, n, st);
        if (j.mask != null) {
            addMask(j, b, h, i0, cnt, n, st);
        }
        // keys after a query: minus infinity (only keys past the block's first query can be)
        int diag = sh.causal() ? Math.min(n, i0 + 1) : n;
        FloatVector ninf = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int key = diag; key < n; key++) {
            VectorMask<Float> later = IOTA.compare(VectorOperators.LT, (float) (key - i0));
            FloatVector.fromArray(F, st, key * L).blend(ninf, later).intoArray(st, key * L);
        }
        FloatVector mx = ninf;
        for (int key = 0; key < n; key++) {
            mx = mx.max(FloatVector.fromArray(F, st, key * L));
        }
        // a query whose every key is masked: 0 / 0 below gives NaN, as softmax does
        mx.blend(0f, mx.compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY)).intoArray(s.linv, 0);
        exponentials(st, n, s.linv);
    }

    /**
     * {@code st[j * L + r] = exp(st[j * L + r] - max[r])} for keys {@code j < n}, then {@code 1 / sum} per lane into
     * {@code inv}, which holds the lanes' maxima on entry. NOTE: a method of its own (no vector crosses the call), and
     * its constants from {@code VectorConstants}, as the generated code has them: inside {@code probabilities}, with
     * scalar operands, C2 boxed this loop's vectors once the GEMM's micro-kernel had been compiled in the same JVM
     * (in a whole transformer: 8 MB per char_transformer training step on JDK 25, 42 on JDK 17; now 0.5 and 28).
     */
    private static void exponentials(float[] st, int n, float[] inv) {
        FloatVector mx = FloatVector.fromArray(F, inv, 0);
        FloatVector sum = FloatVector.zero(F);
        for (int key = 0; key < n; key++) {
            FloatVector a = FloatVector.fromArray(F, st, key * L).sub(mx);
            // exp(a), the lane-wise twin of ScalarMath.exp (Cephes' expf, the same operations in the same order as the
            // generated code's VectorPolynomials), written out: a helper C2 did not inline would box the vectors
            FloatVector x = a.max(VectorConstants.FM87).min(VectorConstants.F88_72283935546875);
            FloatVector t = x.mul(VectorConstants.F1_44269504088896341).add(VectorConstants.F12582912);
            FloatVector nn = t.sub(VectorConstants.F12582912);
            FloatVector r = nn.fma(VectorConstants.FM0_693359375, x);
            r = nn.fma(VectorConstants.F2_12194440eM4, r);
            FloatVector y = VectorConstants.F1_9875691500EM4;
            y = y.fma(r, VectorConstants.F1_3981999507EM3);
            y = y.fma(r, VectorConstants.F8_3334519073EM3);
            y = y.fma(r, VectorConstants.F4_1665795894EM2);
            y = y.fma(r, VectorConstants.F1_6666665459EM1);
            y = y.fma(r, VectorConstants.F5_0000001201EM1);
            y = y.fma(r.mul(r), r).add(VectorConstants.F1);
            IntVector ni = t.reinterpretAsInts().sub(VectorConstants.I1262485504);
            IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = n1.add(VectorConstants.I127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = ni.sub(n1).add(VectorConstants.I127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector ex = y.mul(s1).mul(s2).blend(VectorConstants.F0, a.compare(VectorOperators.LT, VectorConstants.FM87))
                    .blend(VectorConstants.INF, a.compare(VectorOperators.GT, VectorConstants.F88_72283935546875));
            ex.intoArray(st, key * L);
            sum = sum.add(ex);
        }
        FloatVector.broadcast(F, 1f).div(sum).intoArray(inv, 0);
    }

    /**
     * Adds the additive mask to the block's scores: one value per key for all lanes when the mask is the same for every
     * query (a key-padding mask, {@code maskT = 0}), else lane by lane.
     */
    private static void addMask(Attention.Job j, int b, int h, int i0, int cnt, int n, float[] st) {
        AttentionShape sh = j.sh;
        int ms = sh.maskS();
        if (sh.maskT() == 0) {
            int mo = j.maskRow(b, h, 0);
            for (int key = 0; key < n; key++) {
                FloatVector.fromArray(F, st, key * L).add(j.mask[mo + key * ms]).intoArray(st, key * L);
            }
            return;
        }
        for (int r = 0; r < cnt; r++) {
            int mo = j.maskRow(b, h, i0 + r);
            for (int key = 0; key < n; key++) {
                st[key * L + r] += j.mask[mo + key * ms];
            }
        }
    }

    /**
     * {@code out[j * L + r] = sum_{c < d} m[mo + j * ms + c] * xt[c * L + r]} for {@code j < n}: rows of {@code m}
     * (keys, values) against a block of transposed rows (queries, output gradients), eight rows of {@code m} at a
     * time (eight FMA chains, one vector load per eight FMAs).
     */
    private static void scores(float[] m, int mo, int ms, int d, float[] xt, int n, float[] out) {
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            int r0 = mo + j * ms, r1 = r0 + ms, r2 = r1 + ms, r3 = r2 + ms, r4 = r3 + ms, r5 = r4 + ms, r6 = r5 + ms, r7 = r6 + ms;
            for (int c = 0; c < d; c++) {
                FloatVector x = FloatVector.fromArray(F, xt, c * L);
                a0 = FloatVector.broadcast(F, m[r0 + c]).fma(x, a0);
                a1 = FloatVector.broadcast(F, m[r1 + c]).fma(x, a1);
                a2 = FloatVector.broadcast(F, m[r2 + c]).fma(x, a2);
                a3 = FloatVector.broadcast(F, m[r3 + c]).fma(x, a3);
                a4 = FloatVector.broadcast(F, m[r4 + c]).fma(x, a4);
                a5 = FloatVector.broadcast(F, m[r5 + c]).fma(x, a5);
                a6 = FloatVector.broadcast(F, m[r6 + c]).fma(x, a6);
                a7 = FloatVector.broadcast(F, m[r7 + c]).fma(x, a7);
            }
            int o = j * L;
            a0.intoArray(out, o);
            a1.intoArray(out, o + L);
            a2.intoArray(out, o + 2 * L);
            a3.intoArray(out, o + 3 * L);
            a4.intoArray(out, o + 4 * L);
            a5.intoArray(out, o + 5 * L);
            a6.intoArray(out, o + 6 * L);
            a7.intoArray(out, o + 7 * L);
        }
        for (; j < n; j++) {
            FloatVector a0 = FloatVector.zero(F);
            int r0 = mo + j * ms;
            for (int c = 0; c < d; c++) {
                a0 = FloatVector.broadcast(F, m[r0 + c]).fma(FloatVector.fromArray(F, xt, c * L), a0);
            }
            a0.intoArray(out, j * L);
        }
    }

    /**
     * {@code out[oo + r * os + c] = scale * f[r] * sum_{j < n} w[j * L + r] * m[mo + j * ms + c]} for {@code r < cnt},
     * {@code c < d}: the block's weighted sums of rows of {@code m} (values by probabilities, keys by score
     * gradients), written as rows: four queries and two vectors of columns at a time (two row loads and four
     * broadcasts per eight FMAs).
     */
    private static void queryRows(float[] w, int n, int seen, int cnt, float[] m, int mo, int ms, int d, float[] f, float scale,
                                  float[] out, int oo, int os) {
        int dvec = d - d % L;
        int r = 0;
        for (; r + 4 <= cnt; r += 4) {
            int nr = Math.min(n, seen + r + 4);   // keys the group's last lane sees
            int c = 0;
            for (; c + 2 * L <= dvec; c += 2 * L) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                for (int j = 0; j < nr; j++) {
                    int mr = mo + j * ms + c, wj = j * L + r;
                    FloatVector x0 = FloatVector.fromArray(F, m, mr), x1 = FloatVector.fromArray(F, m, mr + L);
                    FloatVector v0 = FloatVector.broadcast(F, w[wj]), v1 = FloatVector.broadcast(F, w[wj + 1]);
                    FloatVector v2 = FloatVector.broadcast(F, w[wj + 2]), v3 = FloatVector.broadcast(F, w[wj + 3]);
                    a0 = v0.fma(x0, a0);
                    a1 = v1.fma(x0, a1);
                    a2 = v2.fma(x0, a2);
                    a3 = v3.fma(x0, a3);
                    b0 = v0.fma(x1, b0);
                    b1 = v1.fma(x1, b1);
                    b2 = v2.fma(x1, b2);
                    b3 = v3.fma(x1, b3);
                }
                int o = oo + r * os + c;
                float f0 = scale * f[r], f1 = scale * f[r + 1], f2 = scale * f[r + 2], f3 = scale * f[r + 3];
                a0.mul(f0).intoArray(out, o);
                b0.mul(f0).intoArray(out, o + L);
                a1.mul(f1).intoArray(out, o + os);
                b1.mul(f1).intoArray(out, o + os + L);
                a2.mul(f2).intoArray(out, o + 2 * os);
                b2.mul(f2).intoArray(out, o + 2 * os + L);
                a3.mul(f3).intoArray(out, o + 3 * os);
                b3.mul(f3).intoArray(out, o + 3 * os + L);
            }
            for (; c < dvec; c += L) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                for (int j = 0; j < nr; j++) {
                    FloatVector x0 = FloatVector.fromArray(F, m, mo + j * ms + c);
                    int wj = j * L + r;
                    a0 = FloatVector.broadcast(F, w[wj]).fma(x0, a0);
                    a1 = FloatVector.broadcast(F, w[wj + 1]).fma(x0, a1);
                    a2 = FloatVector.broadcast(F, w[wj + 2]).fma(x0, a2);
                    a3 = FloatVector.broadcast(F, w[wj + 3]).fma(x0, a3);
                }
                int o = oo + r * os + c;
                a0.mul(scale * f[r]).intoArray(out, o);
                a1.mul(scale * f[r + 1]).intoArray(out, o + os);
                a2.mul(scale * f[r + 2]).intoArray(out, o + 2 * os);
                a3.mul(scale * f[r + 3]).intoArray(out, o + 3 * os);
            }
        }
        for (; r < cnt; r++) {
            int nr = Math.min(n, seen + r + 1);
            for (int c = 0; c < dvec; c += L) {
                FloatVector a0 = FloatVector.zero(F);
                for (int j = 0; j < nr; j++) {
                    a0 = FloatVector.broadcast(F, w[j * L + r]).fma(FloatVector.fromArray(F, m, mo + j * ms + c), a0);
                }
                a0.mul(scale * f[r]).intoArray(out, oo + r * os + c);
            }
        }
        if (dvec < d) {
            for (int rr = 0; rr < cnt; rr++) {
                int nr = Math.min(n, seen + rr + 1);
                for (int c = dvec; c < d; c++) {
                    float sum = 0f;
                    for (int j = 0; j < nr; j++) {
                        sum = Math.fma(w[j * L + rr], m[mo + j * ms + c], sum);
                    }
                    out[oo + rr * os + c] = sum * (scale * f[rr]);
                }
            }
        }
    }

    /**
     * {@code out[oo + j * os + c] += scale * sum_{r < cnt} w[j * L + r] * x[xo + r * xs + c]} for {@code j < n},
     * {@code c < d}: the block's contribution to the keys' gradients (score gradients by queries, probabilities by
     * output gradients), four keys and two vectors of columns at a time.
     */
    private static void keyGradient(float[] w, int n, int seen, int cnt, float[] x, int xo, int xs, int d, float scale,
                                    float[] out, int oo, int os) {
        int dvec = d - d % L;
        FloatVector sv = FloatVector.broadcast(F, scale);
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            int w0 = j * L, w1 = w0 + L, w2 = w1 + L, w3 = w2 + L;
            int r0 = Math.max(0, j - seen);   // lanes before r0 see none of the four keys
            int c = 0;
            for (; c + 2 * L <= dvec; c += 2 * L) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                for (int r = r0; r < cnt; r++) {
                    int xr = xo + r * xs + c;
                    FloatVector x0 = FloatVector.fromArray(F, x, xr), x1 = FloatVector.fromArray(F, x, xr + L);
                    FloatVector v0 = FloatVector.broadcast(F, w[w0 + r]), v1 = FloatVector.broadcast(F, w[w1 + r]);
                    FloatVector v2 = FloatVector.broadcast(F, w[w2 + r]), v3 = FloatVector.broadcast(F, w[w3 + r]);
                    a0 = v0.fma(x0, a0);
                    a1 = v1.fma(x0, a1);
                    a2 = v2.fma(x0, a2);
                    a3 = v3.fma(x0, a3);
                    b0 = v0.fma(x1, b0);
                    b1 = v1.fma(x1, b1);
                    b2 = v2.fma(x1, b2);
                    b3 = v3.fma(x1, b3);
                }
                int o = oo + j * os + c;
                a0.fma(sv, FloatVector.fromArray(F, out, o)).intoArray(out, o);
                b0.fma(sv, FloatVector.fromArray(F, out, o + L)).intoArray(out, o + L);
                a1.fma(sv, FloatVector.fromArray(F, out, o + os)).intoArray(out, o + os);
                b1.fma(sv, FloatVector.fromArray(F, out, o + os + L)).intoArray(out, o + os + L);
                a2.fma(sv, FloatVector.fromArray(F, out, o + 2 * os)).intoArray(out, o + 2 * os);
                b2.fma(sv, FloatVector.fromArray(F, out, o + 2 * os + L)).intoArray(out, o + 2 * os + L);
                a3.fma(sv, FloatVector.fromArray(F, out, o + 3 * os)).intoArray(out, o + 3 * os);
                b3.fma(sv, FloatVector.fromArray(F, out, o + 3 * os + L)).intoArray(out, o + 3 * os + L);
            }
            for (; c < dvec; c += L) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                for (int r = r0; r < cnt; r++) {
                    FloatVector x0 = FloatVector.fromArray(F, x, xo + r * xs + c);
                    a0 = FloatVector.broadcast(F, w[w0 + r]).fma(x0, a0);
                    a1 = FloatVector.broadcast(F, w[w1 + r]).fma(x0, a1);
                    a2 = FloatVector.broadcast(F, w[w2 + r]).fma(x0, a2);
                    a3 = FloatVector.broadcast(F, w[w3 + r]).fma(x0, a3);
                }
                int o = oo + j * os + c;
                a0.fma(sv, FloatVector.fromArray(F, out, o)).intoArray(out, o);
                a1.fma(sv, FloatVector.fromArray(F, out, o + os)).intoArray(out, o + os);
                a2.fma(sv, FloatVector.fromArray(F, out, o + 2 * os)).intoArray(out, o + 2 * os);
                a3.fma(sv, FloatVector.fromArray(F, out, o + 3 * os)).intoArray(out, o + 3 * os);
            }
        }
        for (; j < n; j++) {
            int r0 = Math.max(0, j - seen);
            for (int c = 0; c < dvec; c += L) {
                FloatVector a0 = FloatVector.zero(F);
                for (int r = r0; r < cnt; r++) {
                    a0 = FloatVector.broadcast(F, w[j * L + r]).fma(FloatVector.fromArray(F, x, xo + r * xs + c), a0);
                }
                int o = oo + j * os + c;
                a0.fma(sv, FloatVector.fromArray(F, out, o)).intoArray(out, o);
            }
        }
        if (dvec < d) {
            for (int jj = 0; jj < n; jj++) {
                int r0 = Math.max(0, jj - seen);
                for (int c = dvec; c < d; c++) {
                    float sum = 0f;
                    for (int r = r0; r < cnt; r++) {
                        sum = Math.fma(w[jj * L + r], x[xo + r * xs + c], sum);
                    }
                    out[oo + jj * os + c] = Math.fma(sum, scale, out[oo + jj * os + c]);
                }
            }
        }
    }

    /**
     * {@code xt[c * L + r] = scale * src[off + r * stride + c]} for {@code c < d}, {@code r < cnt}; 0 in lanes
     * {@code cnt <= r < L}: a block of rows, transposed.
     */
    private static void toLanes(float[] src, int off, int stride, int cnt, int d, float scale, float[] xt) {
        int c = 0;
        if (MatMulTranspose.ENABLED && cnt == L) {
            for (; c + L <= d; c += L) {
                MatMulTranspose.tile(src, off + c, stride, xt, c * L, L);
            }
        }
        for (int cc = c; cc < d; cc++) {
            for (int r = 0; r < cnt; r++) {
                xt[cc * L + r] = src[off + r * stride + cc];
            }
            for (int r = cnt; r < L; r++) {
                xt[cc * L + r] = 0f;
            }
        }
        if (scale != 1f) {
            for (int cc = 0; cc < d; cc++) {
                FloatVector.fromArray(F, xt, cc * L).mul(scale).intoArray(xt, cc * L);
            }
        }
    }
}
