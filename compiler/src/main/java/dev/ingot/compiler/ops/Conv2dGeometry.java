package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;

/**
 * The float64 reference of a convolution and of its two gradients (direct loops over the
 * definition), shared by the three conv ops, plus their lowering constant and test shapes.
 */
record Conv2dGeometry(int n, int c, int h, int w, int oc, Windows win, int groups, int oh, int ow) {
    static Conv2dGeometry of(int[] x, int[] wt, Attrs a) {
        Windows win = Windows.of(a, wt[2], wt[3]);
        return new Conv2dGeometry(x[0], x[1], x[2], x[3], wt[0], win, a.i("groups"), win.oh("conv2d", x[2], x[3]), win.ow("conv2d", x[2], x[3]));
    }

    /** Visits every (output element, input element, weight element) triple of the convolution. */
    private interface Visit { void at(int yi, int xi, int wi); }

    private void each(Visit v) {
        int cg = c / groups, og = oc / groups;
        for (int b = 0; b < n; b++)
            for (int o = 0; o < oc; o++) {
                int g = o / og;
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++) {
                        int yi = ((b * oc + o) * oh + i) * ow + j;
                        for (int ci = 0; ci < cg; ci++)
                            for (int p = 0; p < win.kh(); p++) {
                                int r = i * win.sh() - win.pt() + p * win.dh();
                                if (r < 0 || r >= h) continue;
                                for (int q = 0; q < win.kw(); q++) {
                                    int s = j * win.sw() - win.pl() + q * win.dw();
                                    if (s < 0 || s >= w) continue;
                                    v.at(yi, ((b * c + g * cg + ci) * h + r) * w + s, ((o * cg + ci) * win.kh() + p) * win.kw() + q);
                                }
                            }
                    }
            }
    }

    double[] forward(double[] x, double[] wt) {
        double[] y = new double[n * oc * oh * ow];
        each((yi, xi, wi) -> y[yi] += x[xi] * wt[wi]);
        return y;
    }

    double[] gradInput(double[] dy, double[] wt) {
        double[] dx = new double[n * c * h * w];
        each((yi, xi, wi) -> dx[xi] += dy[yi] * wt[wi]);
        return dx;
    }

    double[] gradWeight(double[] x, double[] dy) {
        double[] dw = new double[oc * (c / groups) * win.kh() * win.kw()];
        each((yi, xi, wi) -> dw[wi] += x[xi] * dy[yi]);
        return dw;
    }

    /** A {@code static final Conv2dShape} for the runtime kernels. */
    static String constant(Lowering cx, Shape x, Shape w, Attrs a) {
        Windows win = Windows.of(a, w.dim(2), w.dim(3));
        return cx.constant("Conv2dShape", "CONV", "new Conv2dShape(" + x.dim(1) + ", " + x.dim(2) + ", " + x.dim(3) + ", " + w.dim(0) + ", "
                + win.javaArgs() + ", " + win.dh() + ", " + win.dw() + ", " + a.i("groups") + ")");
    }

    static Attrs attrs(int sh, int sw, int[] pad, int dh, int dw, int groups) {
        return Attrs.of("stride", new int[] {sh, sw}, "pad", pad, "dilation", new int[] {dh, dw}, "groups", groups);
    }

    /** Shapes for the generic checks: plain, strided and padded, dilated, grouped, depthwise. */
    static TestSpec spec() {
        return TestSpec.of(-1, 1,
                TestSpec.c(attrs(1, 1, new int[] {0, 0, 0, 0}, 1, 1, 1), TensorType.f32(2, 3, 5, 5), TensorType.f32(4, 3, 3, 3)),
                TestSpec.c(attrs(2, 2, new int[] {1, 1, 1, 1}, 1, 1, 1), TensorType.f32(1, 2, 6, 7), TensorType.f32(3, 2, 3, 3)),
                TestSpec.c(attrs(1, 1, new int[] {0, 1, 1, 0}, 2, 2, 1), TensorType.f32(1, 2, 7, 7), TensorType.f32(2, 2, 2, 3)),
                TestSpec.c(attrs(1, 1, new int[] {1, 1, 1, 1}, 1, 1, 2), TensorType.f32(2, 4, 4, 4), TensorType.f32(6, 2, 3, 3)),
                TestSpec.c(attrs(1, 1, new int[] {1, 1, 1, 1}, 1, 1, 3), TensorType.f32(1, 3, 5, 5), TensorType.f32(3, 1, 3, 3)));
    }
}
