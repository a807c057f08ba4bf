package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * 2-D pooling over NCHW: {@code max_pool2d} and {@code avg_pool2d} with {@code kernel [kh, kw]},
 * {@code stride}, {@code pad [top, left, bottom, right]} (PyTorch semantics: max pads with -inf;
 * average divides by the full window, padding included), and their gradients. The four ops share
 * this file because they share the window geometry and the reference loops.
 * <ul>
 *   <li>Max. Forward: the window maximum. Backward: {@code max_pool2d_grad(x, dy)} routes each
 *       window's gradient to its (first) maximum, recomputing the argmax from x.</li>
 *   <li>Average. Forward: the window mean. Backward: {@code avg_pool2d_grad(dy)} spreads each
 *       window's gradient evenly.</li>
 * </ul>
 */
public final class Pooling implements Library {
    private final String name;
    private final boolean max, grad;

    Pooling(String name, boolean max, boolean grad) {
        this.name = name;
        this.max = max;
        this.grad = grad;
    }

    public String name() { return name; }

    static Attrs attrs(int kh, int kw, int sh, int sw, int[] pad) { return Attrs.of("kernel", new int[] {kh, kw}, "stride", new int[] {sh, sw}, "pad", pad); }

    private static Windows win(Attrs a) { return Windows.of(a, a.ints("kernel")[0], a.ints("kernel")[1]); }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        if (grad) return TensorType.f32(new Shape(a.ints("input")));
        Shape x = in.get(0).shape();
        Windows.checkNchw(name, x);
        Windows w = win(a);
        if (w.pt() * 2 > w.kh() || w.pl() * 2 > w.kw() || w.pb() * 2 > w.kh() || w.pr() * 2 > w.kw())
            throw new ShapeError(name + ": padding must be at most half the window (" + w.kh() + "x" + w.kw() + ")");
        return TensorType.f32(Shape.of(x.dim(0), x.dim(1), w.oh(name, x.dim(2), x.dim(3)), w.ow(name, x.dim(2), x.dim(3))));
    }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) {
        if (grad) return null;
        Attrs a = y.attrs().with("input", y.in(0).shape().dims());
        return List.of(max ? g.node(Ops.MAX_POOL2D_GRAD, a, y.in(0), dy) : g.node(Ops.AVG_POOL2D_GRAD, a, dy));
    }

    /** Visits each (output index, input index) pair of every window; padded positions are skipped. */
    private interface Visit { void at(int yi, int xi, boolean firstOfWindow); }

    private static void each(int[] x, Windows w, Visit v) {
        int oh = w.oh("pool", x[2], x[3]), ow = w.ow("pool", x[2], x[3]);
        for (int b = 0; b < x[0] * x[1]; b++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    boolean first = true;
                    for (int p = 0; p < w.kh(); p++)
                        for (int q = 0; q < w.kw(); q++) {
                            int r = i * w.sh() - w.pt() + p, s = j * w.sw() - w.pl() + q;
                            if (r < 0 || r >= x[2] || s < 0 || s >= x[3]) continue;
                            v.at((b * oh + i) * ow + j, (b * x[2] + r) * x[3] + s, first);
                            first = false;
                        }
                }
    }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        Windows w = win(a);
        double area = w.kh() * w.kw();
        if (!grad) {
            double[] x = in.get(0), y = new double[Broadcasting.numel(out)];
            if (max) java.util.Arrays.fill(y, Double.NEGATIVE_INFINITY);
            each(shapes.get(0), w, (yi, xi, first) -> y[yi] = max ? Math.max(y[yi], x[xi]) : y[yi] + x[xi] / area);
            return y;
        }
        int[] xs = a.ints("input");
        xs[0] = out[0];
        double[] dx = new double[Broadcasting.numel(out)];
        if (!max) {
            double[] dy = in.get(0);
            each(xs, w, (yi, xi, first) -> dx[xi] += dy[yi] / area);
            return dx;
        }
        double[] x = in.get(0), dy = in.get(1);
        int[] arg = new int[dy.length];
        double[] best = new double[dy.length];
        each(xs, w, (yi, xi, first) -> {
            if (first || x[xi] > best[yi]) {
                best[yi] = x[xi];
                arg[yi] = xi;
            }
        });
        for (int k = 0; k < dy.length; k++) dx[arg[k]] += dy[k];
        return dx;
    }

    public void lower(Lowering cx, Node n) {
        Attrs a = n.attrs();
        Windows w = win(a);
        Shape xs = grad ? n.shape() : n.in(0).shape();
        String shape = cx.constant("Pool2dShape", "POOL", "new Pool2dShape(" + xs.dim(1) + ", " + xs.dim(2) + ", " + xs.dim(3) + ", " + w.javaArgs() + ")");
        String batch = cx.size(xs.size(0));
        if (!grad) {
            Node x = n.in(0);
            cx.emit("Pool2d." + (max ? "maxForward(" : "avgForward(") + cx.array(x) + ", " + cx.offset(x) + ", " + cx.array(n) + ", " + cx.offset(n) + ", " + shape + ", " + batch + ");");
        } else if (max) {
            Node x = n.in(0), dy = n.in(1);
            cx.emit("Pool2d.maxBackward(" + cx.array(x) + ", " + cx.offset(x) + ", " + cx.array(dy) + ", " + cx.offset(dy) + ", " + cx.array(n) + ", " + cx.offset(n) + ", " + shape + ", " + batch + ");");
        } else {
            Node dy = n.in(0);
            cx.emit("Pool2d.avgBackward(" + cx.array(dy) + ", " + cx.offset(dy) + ", " + cx.array(n) + ", " + cx.offset(n) + ", " + shape + ", " + batch + ");");
        }
    }

    public TestSpec testSpec() {
        if (grad) return null;
        return TestSpec.of(-2, 2,
                TestSpec.c(attrs(2, 2, 2, 2, new int[] {0, 0, 0, 0}), TensorType.f32(2, 3, 4, 6)),
                TestSpec.c(attrs(3, 3, 2, 2, new int[] {1, 1, 1, 1}), TensorType.f32(1, 2, 5, 5)),
                TestSpec.c(attrs(2, 3, 1, 2, new int[] {0, 1, 0, 1}), TensorType.f32(1, 1, 4, 5)));
    }
}
