package dev.ingot.runtime.kernels;

import dev.ingot.runtime.exec.Parallel;
import java.util.SplittableRandom;

/**
 * Entry point run in a child JVM by {@link Conv2dTest#otherVectorConfigurations}: checks the public convolution and
 * pooling API (AUTO algorithm) against {@link Conv2dReference} under the JVM's own {@code ingot.vector} /
 * {@code ingot.vector.bits} settings, which are read once per JVM. Exit code 0 = all good; 1 = mismatch (printed).
 */
public final class Conv2dChildCheck {
    private Conv2dChildCheck() {
    }

    public static void main(String[] args) {
        Conv2dShape[] shapes = {
            new Conv2dShape(1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1),
            new Conv2dShape(8, 9, 40, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2, 1, 1),
            new Conv2dShape(12, 10, 10, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
            new Conv2dShape(6, 11, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 6),
            new Conv2dShape(3, 11, 9, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),
        };
        int bad = 0;
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            for (Conv2dShape s : shapes) {
                int batch = 3;
                SplittableRandom r = new SplittableRandom(s.hashCode());
                float[] x = random(r, batch * s.inSize()), w = random(r, s.weightSize());
                float[] dy = random(r, batch * s.outSize());
                float[] y = new float[dy.length], dx = new float[x.length], dw = new float[w.length];
                Conv2d.forward(x, 0, w, 0, y, 0, s, batch);
                Conv2d.backwardInput(dy, 0, w, 0, dx, 0, s, batch);
                Conv2d.backwardWeight(x, 0, dy, 0, dw, 0, s, batch);
                bad += compare(s + " forward", y, Conv2dReference.forward(x, w, s, batch));
                bad += compare(s + " backwardInput", dx, Conv2dReference.backwardInput(dy, w, s, batch));
                bad += compare(s + " backwardWeight", dw, Conv2dReference.backwardWeight(x, dy, s, batch));
            }
            Pool2dShape p = Pool2dShape.of(3, 8, 36, 2, 2, 0);
            SplittableRandom r = new SplittableRandom(7);
            float[] x = random(r, 2 * p.inSize()), g = random(r, 2 * p.outSize());
            float[] y = new float[g.length], dx = new float[x.length];
            Pool2d.maxForward(x, 0, y, 0, p, 2);
            Pool2d.maxBackward(x, 0, g, 0, dx, 0, p, 2);
            int ow = p.ow();
            for (int o = 0; o < y.length; o++) {
                int plane = o / (p.oh() * ow), oy = o % (p.oh() * ow) / ow, ox = o % ow;
                int base = plane * p.h() * p.w() + 2 * oy * p.w() + 2 * ox;
                int[] at = {base, base + 1, base + p.w(), base + p.w() + 1};
                int arg = at[0];
                for (int i : at) {
                    if (x[i] > x[arg]) {
                        arg = i;
                    }
                }
                if (y[o] != x[arg] || dx[arg] != g[o]) {
                    System.out.println("pool mismatch at output " + o);
                    bad++;
                    break;
                }
            }
        }
        System.out.println("lanes=" + Conv2dKernels.L + " vector=" + Conv2dKernels.ENABLED + " mismatches=" + bad);
        System.exit(bad == 0 ? 0 : 1);
    }

    private static int compare(String what, float[] got, double[][] ref) {
        for (int i = 0; i < got.length; i++) {
            if (!(Math.abs(got[i] - ref[0][i]) <= 1e-5 * ref[1][i] + 1e-6)) {
                System.out.println(what + ": element " + i + " is " + got[i] + ", expected " + ref[0][i]);
                return 1;
            }
        }
        return 0;
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
