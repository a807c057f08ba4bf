package dev.ingot.runtime.kernels;

/**
 * Plain-Java cores of {@link Attention}: one (image, head) pair, forward or backward. The reference for
 * {@link AttentionLanes} and the kernels of the scalar target.
 */
final class AttentionScalar {
    private AttentionScalar() {
    }

    static void forward(Attention.Job j, int b, int h, Attention.Scratch s) {
        AttentionShape sh = j.sh;
        int dv = sh.dv();
        s.ensure(sh.s());
        float[] p = s.probs;
        for (int i = 0; i < sh.t(); i++) {
            int n = sh.keys(i);
            float inv = probabilities(j, b, h, i, n, s);
            int vo = j.vOff + j.vRow(b, 0, h), oo = j.oOff + j.oRow(b, i, h), ev = sh.ev();
            for (int c = 0; c < dv; c++) {
                float acc = 0f;
                for (int key = 0; key < n; key++) {
                    acc = Math.fma(p[key], j.v[vo + key * ev + c], acc);
                }
                j.o[oo + c] = acc * inv;
            }
        }
    }

    /**
     * Row {@code i}'s unnormalized probabilities {@code e_j = exp(score_j - max)} into {@code s.probs[0, n)}; returns
     * {@code 1 / sum_j e_j}.
     */
    private static float probabilities(Attention.Job j, int b, int h, int i, int n, Attention.Scratch s) {
        AttentionShape sh = j.sh;
        int dk = sh.dk(), e = sh.e();
        float[] p = s.probs;
        int qo = j.qOff + j.qRow(b, i, h), ko = j.kOff + j.kRow(b, 0, h);
        float max = Float.NEGATIVE_INFINITY;
        for (int key = 0; key < n; key++) {
            float acc = 0f;
            for (int c = 0; c < dk; c++) {
                acc = Math.fma(j.q[qo + c] * sh.scale(), j.k[ko + key * e + c], acc);
            }
            if (j.mask != null) {
                acc += j.mask[j.maskRow(b, h, i) + key * sh.maskS()];
            }
            p[key] = acc;
            max = Math.max(max, acc);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            max = 0f;   // every key masked: 0 / 0 below gives NaN, as softmax does
        }
        float sum = 0f;
        for (int key = 0; key < n; key++) {
            p[key] = ScalarMath.exp(p[key] - max);
            sum += p[key];
        }
        return 1f / sum;
    }

    static void backward(Attention.Job j, int b, int h, Attention.Scratch s) {
        AttentionShape sh = j.sh;
        int dk = sh.dk(), dv = sh.dv(), e = sh.e(), ev = sh.ev();
        s.ensure(sh.s());
        float[] p = s.probs, ds = s.dp;
        boolean qkv = j.grad != null;
        if (qkv) {
            for (int key = 0; key < sh.s(); key++) {
                java.util.Arrays.fill(j.grad, j.dkRow(b, key, h), j.dkRow(b, key, h) + dk, 0f);
                java.util.Arrays.fill(j.grad, j.dvRow(b, key, h), j.dvRow(b, key, h) + dv, 0f);
            }
        }
        int ko = j.kOff + j.kRow(b, 0, h), vo = j.vOff + j.vRow(b, 0, h);
        for (int i = 0; i < sh.t(); i++) {
            int n = sh.keys(i);
            float inv = probabilities(j, b, h, i, n, s);
            int oo = j.oRow(b, i, h), go = j.dOOff + oo;
            float dot = 0f;
            for (int c = 0; c < dv; c++) {
                dot = Math.fma(j.dO[go + c], j.o[j.oOff + oo + c], dot);
            }
            for (int key = 0; key < n; key++) {
                float dpk = 0f;
                for (int c = 0; c < dv; c++) {
                    dpk = Math.fma(j.dO[go + c], j.v[vo + key * ev + c], dpk);
                }
                p[key] *= inv;
                ds[key] = p[key] * (dpk - dot);
            }
            if (j.dMask != null) {
                int mo = j.dMaskOff + ((b * sh.heads() + h) * sh.t() + i) * sh.s();
                for (int key = 0; key < sh.s(); key++) {
                    j.dMask[mo + key] = key < n ? ds[key] : 0f;
                }
            }
            if (!qkv) {
                continue;
            }
            int qo = j.qOff + j.qRow(b, i, h), dq = j.dqRow(b, i, h);
            for (int c = 0; c < dk; c++) {
                float acc = 0f;
                for (int key = 0; key < n; key++) {
                    acc = Math.fma(ds[key], j.k[ko + key * e + c], acc);
                }
                j.grad[dq + c] = acc * sh.scale();
            }
            for (int key = 0; key < n; key++) {
                int dkr = j.dkRow(b, key, h), dvr = j.dvRow(b, key, h);
                float g = ds[key] * sh.scale(), pk = p[key];
                for (int c = 0; c < dk; c++) {
                    j.grad[dkr + c] = Math.fma(g, j.q[qo + c], j.grad[dkr + c]);
                }
                for (int c = 0; c < dv; c++) {
                    j.grad[dvr + c] = Math.fma(pk, j.dO[go + c], j.grad[dvr + c]);
                }
            }
        }
    }
}
