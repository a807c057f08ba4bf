package dev.ingot.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fused attention's vector kernel ({@link AttentionLanes}, queries in the lanes) against its plain-Java reference
 * ({@link AttentionScalar}), forward and backward: partial blocks of queries, head widths that are not whole vectors,
 * fewer or more keys than queries, causal or not, without a mask, with a mask per query ({@code [batch, 1, t, s]}) or
 * per key ({@code [batch, 1, 1, s]}, as a key-padding mask), and the mask's gradient. Computed in float64 as well, so
 * that a wrong vector path cannot hide behind a wrong reference.
 */
class AttentionKernelsTest {

    @ParameterizedTest(name = "batch {0}, heads {1}, t {2}, s {3}, dk {4}, dv {5}, causal {6}, mask {7}")
    @CsvSource({
            "2, 4, 64, 64, 32, 32, true, false",
            "3, 2, 37, 37, 24, 40, true, false",
            "2, 3, 20, 33, 16, 8, false, false",
            "1, 1, 17, 17, 5, 7, true, false",
            "2, 4, 64, 64, 32, 32, false, false",
            "1, 2, 100, 90, 48, 16, false, false",
            "1, 2, 3, 70, 16, 16, false, false",
            "2, 2, 24, 24, 16, 16, true, true",
            "2, 3, 20, 33, 16, 8, false, true",
            "2, 2, 40, 40, 32, 32, true, true",
    })
    void vectorKernelsMatchTheReference(int batch, int heads, int t, int s, int dk, int dv, boolean causal, boolean withMask) {
        check(batch, heads, t, s, dk, dv, causal, withMask, false);
        if (withMask) check(batch, heads, t, s, dk, dv, causal, true, true);
    }

    private void check(int batch, int heads, int t, int s, int dk, int dv, boolean causal, boolean withMask, boolean perKey) {
        SplittableRandom r = new SplittableRandom(7 + t * 31L + s);
        float scale = (float) (1 / Math.sqrt(dk));
        AttentionShape sh = withMask
                ? perKey ? new AttentionShape(heads, t, s, dk, dv, scale, causal, s, 0, 0, 1)   // [batch, 1, 1, s]
                         : new AttentionShape(heads, t, s, dk, dv, scale, causal, t * s, 0, s, 1)   // [batch, 1, t, s]
                : new AttentionShape(heads, t, s, dk, dv, scale, causal);
        float[] q = gaussian(r, batch * t * heads * dk), k = gaussian(r, batch * s * heads * dk);
        float[] v = gaussian(r, batch * s * heads * dv), dO = gaussian(r, batch * t * heads * dv);
        float[] mask = null;
        if (withMask) {
            mask = new float[batch * t * s];
            for (int i = 0; i < mask.length; i++) mask[i] = r.nextInt(4) == 0 ? -1e9f : 0f;
            for (int b = 0; b < batch; b++) for (int i = 0; i < t; i++) mask[(b * t + i) * s] = 0f;   // key 0 always seen
            if (!perKey) java.util.Arrays.fill(mask, 3 * s, 4 * s, Float.NEGATIVE_INFINITY);   // query 3 of image 0 sees no key: NaN, as softmax gives
        }
        float[] oVec = new float[batch * t * heads * dv], oRef = oVec.clone();
        Attention.forward(sh, batch, q, 0, k, 0, v, 0, mask, 0, oVec, 0, true);
        Attention.forward(sh, batch, q, 0, k, 0, v, 0, mask, 0, oRef, 0, false);
        float[] gVec = new float[batch * sh.packedGradient()], gRef = gVec.clone();
        float[] dmVec = withMask ? new float[batch * heads * t * s] : null, dmRef = withMask ? dmVec.clone() : null;
        if (withMask && !perKey) {
            // the row that sees no key is NaN in both (and so would be every gradient it reaches): checked, then left out
            assertTrue(Float.isNaN(oVec[3 * heads * dv]) && Float.isNaN(oRef[3 * heads * dv]), "a query that sees no key gives NaN");
            java.util.Arrays.fill(mask, 3 * s, 4 * s, 0f);
            Attention.forward(sh, batch, q, 0, k, 0, v, 0, mask, 0, oVec, 0, true);
            Attention.forward(sh, batch, q, 0, k, 0, v, 0, mask, 0, oRef, 0, false);
        }
        Attention.backward(sh, batch, q, 0, k, 0, v, 0, mask, 0, oVec, 0, dO, 0, gVec, 0, dmVec, 0, true);
        Attention.backward(sh, batch, q, 0, k, 0, v, 0, mask, 0, oRef, 0, dO, 0, gRef, 0, dmRef, 0, false);
        if (withMask) {
            for (int i = 0; i < dmVec.length; i++) {
                assertEquals(dmRef[i], dmVec[i], 2e-5 * (1 + Math.abs(dmRef[i])), "mask gradient " + i);
            }
        }
        double[][] exact = float64(sh, batch, q, k, v, mask, dO);
        for (int i = 0; i < oVec.length; i++) {
            assertEquals(exact[0][i], oRef[i], 1e-4 * (1 + Math.abs(exact[0][i])), "reference output " + i);
            assertEquals(oRef[i], oVec[i], 2e-6 * (1 + Math.abs(oRef[i])), "output " + i);
        }
        for (int i = 0; i < gVec.length; i++) {
            assertEquals(exact[1][i], gRef[i], 2e-4 * (1 + Math.abs(exact[1][i])), "reference gradient " + i);
            assertEquals(gRef[i], gVec[i], 2e-5 * (1 + Math.abs(gRef[i])), "gradient " + i);
        }
    }

    private static float[] gaussian(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1) * 1.5f;
        return a;
    }

    /** Output and packed gradient [dq | dk | dv] per image, in float64, straight from the definition. */
    private static double[][] float64(AttentionShape sh, int batch, float[] q, float[] k, float[] v, float[] mask, float[] dO) {
        int heads = sh.heads(), t = sh.t(), s = sh.s(), dk = sh.dk(), dv = sh.dv(), e = heads * dk, ev = heads * dv;
        double[] o = new double[batch * t * ev], g = new double[batch * sh.packedGradient()];
        for (int b = 0; b < batch; b++) {
            int gb = b * sh.packedGradient();
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < t; i++) {
                    double[] p = new double[s];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < s; j++) {
                        if (sh.causal() && j > i) { p[j] = Double.NEGATIVE_INFINITY; continue; }
                        double acc = 0;
                        for (int c = 0; c < dk; c++) acc += (double) q[(b * t + i) * e + h * dk + c] * k[(b * s + j) * e + h * dk + c];
                        acc *= sh.scale();
                        if (mask != null) acc += mask[b * sh.maskB() + h * sh.maskH() + i * sh.maskT() + j * sh.maskS()];
                        p[j] = acc;
                        max = Math.max(max, acc);
                    }
                    double sum = 0;
                    for (int j = 0; j < s; j++) { p[j] = p[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(p[j] - max); sum += p[j]; }
                    for (int j = 0; j < s; j++) p[j] /= sum;
                    double[] dp = new double[s];
                    double dsum = 0;
                    for (int c = 0; c < dv; c++) {
                        double acc = 0;
                        for (int j = 0; j < s; j++) acc += p[j] * v[(b * s + j) * ev + h * dv + c];
                        o[(b * t + i) * ev + h * dv + c] = acc;
                    }
                    for (int j = 0; j < s; j++) {
                        double acc = 0;
                        for (int c = 0; c < dv; c++) acc += (double) dO[(b * t + i) * ev + h * dv + c] * v[(b * s + j) * ev + h * dv + c];
                        dp[j] = acc;
                        dsum += p[j] * acc;
                    }
                    for (int j = 0; j < s; j++) {
                        double ds = p[j] * (dp[j] - dsum) * sh.scale();
                        for (int c = 0; c < dk; c++) {
                            g[gb + i * e + h * dk + c] += ds * k[(b * s + j) * e + h * dk + c];
                            g[gb + t * e + j * e + h * dk + c] += ds * q[(b * t + i) * e + h * dk + c];
                        }
                        for (int c = 0; c < dv; c++) {
                            g[gb + (t + s) * e + j * ev + h * dv + c] += p[j] * dO[(b * t + i) * ev + h * dv + c];
                        }
                    }
                }
            }
        }
        return new double[][] {o, g};
    }
}
