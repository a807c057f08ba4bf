package dev.ingot.runtime.kernels;

/**
 * Naive double-precision convolution by the definition (direct loops over every term), for the tests. Each method
 * returns {@code {value, sum of |terms|}} per output element, the second used as the error scale.
 */
final class Conv2dReference {
    private Conv2dReference() {
    }

    /** Calls {@code term(outIndex, inIndex, wIndex)} for every term of the forward sum. */
    private interface Term {
        void accept(int yi, int xi, int wi);
    }

    private static void forEachTerm(Conv2dShape s, int batch, Term t) {
        int cg = s.cg(), ocg = s.ocg(), oh = s.oh(), ow = s.ow();
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < s.oc(); o++) {
                int g = o / ocg;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int yi = ((n * s.oc() + o) * oh + oy) * ow + ox;
                        for (int cl = 0; cl < cg; cl++) {
                            int ci = g * cg + cl;
                            for (int ky = 0; ky < s.kh(); ky++) {
                                int iy = oy * s.strideH() + ky * s.dilationH() - s.padTop();
                                if (iy < 0 || iy >= s.h()) {
                                    continue;
                                }
                                for (int kx = 0; kx < s.kw(); kx++) {
                                    int ix = ox * s.strideW() + kx * s.dilationW() - s.padLeft();
                                    if (ix < 0 || ix >= s.w()) {
                                        continue;
                                    }
                                    int xi = ((n * s.c() + ci) * s.h() + iy) * s.w() + ix;
                                    int wi = ((o * cg + cl) * s.kh() + ky) * s.kw() + kx;
                                    t.accept(yi, xi, wi);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static double[][] forward(float[] x, float[] w, Conv2dShape s, int batch) {
        double[] v = new double[batch * s.outSize()];
        double[] a = new double[v.length];
        forEachTerm(s, batch, (yi, xi, wi) -> {
            double p = (double) x[xi] * w[wi];
            v[yi] += p;
            a[yi] += Math.abs(p);
        });
        return new double[][] {v, a};
    }

    static double[][] backwardInput(float[] dy, float[] w, Conv2dShape s, int batch) {
        double[] v = new double[batch * s.inSize()];
        double[] a = new double[v.length];
        forEachTerm(s, batch, (yi, xi, wi) -> {
            double p = (double) dy[yi] * w[wi];
            v[xi] += p;
            a[xi] += Math.abs(p);
        });
        return new double[][] {v, a};
    }

    static double[][] backwardWeight(float[] x, float[] dy, Conv2dShape s, int batch) {
        double[] v = new double[s.weightSize()];
        double[] a = new double[v.length];
        forEachTerm(s, batch, (yi, xi, wi) -> {
            double p = (double) dy[yi] * x[xi];
            v[wi] += p;
            a[wi] += Math.abs(p);
        });
        return new double[][] {v, a};
    }
}
