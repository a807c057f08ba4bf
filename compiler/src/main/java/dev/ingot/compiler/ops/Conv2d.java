package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * 2-D convolution, NCHW input {@code [n, c, h, w]}, OIHW weights {@code [oc, c/groups, kh, kw]}
 * (PyTorch's layouts); attributes {@code stride [sh, sw]}, {@code pad [top, left, bottom, right]},
 * {@code dilation [dh, dw]}, {@code groups}. No bias: the layer adds it, and the schedule usually makes that and the ReLU this
 * kernel's epilogue.
 * <p>Forward: {@code y[n, o, i, j] = sum_{c,p,q} x[n, g*C + c, i*sh - pt + p*dh, j*sw - pl + q*dw] * w[o, c, p, q]}.
 * Backward: {@code dx = conv2d_grad_input(dy, w)} (the transposed convolution) and
 * {@code dw = conv2d_grad_weight(x, dy)}. Lowered to the runtime's {@code Conv2d} kernels,
 * specialized by a static {@code Conv2dShape}.
 */
public final class Conv2d implements Library {
    public String name() { return "conv2d"; }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        Shape x = in.get(0).shape(), w = in.get(1).shape();
        Windows.checkNchw("conv2d", x);
        if (w.rank() != 4 || w.hasBatch()) throw new ShapeError("conv2d: weights must be [out_channels, in_channels/groups, kh, kw], got " + w);
        int g = a.i("groups");
        if (x.dim(1) % g != 0 || w.dim(0) % g != 0)
            throw new ShapeError("conv2d: groups " + g + " must divide the input channels " + x.dim(1) + " and the output channels " + w.dim(0));
        if (w.dim(1) * g != x.dim(1))
            throw new ShapeError("conv2d: the input " + x + " has " + x.dim(1) + " channels but the weights " + w + " expect " + w.dim(1) * g
                    + (g > 1 ? " (" + w.dim(1) + " per group x " + g + " groups)" : ""));
        Windows win = Windows.of(a, w.dim(2), w.dim(3));
        return TensorType.f32(Shape.of(x.dim(0), w.dim(0), win.oh("conv2d", x.dim(2), x.dim(3)), win.ow("conv2d", x.dim(2), x.dim(3))));
    }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) {
        Node x = y.in(0), w = y.in(1);
        Attrs a = y.attrs();
        Node dx = g.node(Ops.CONV2D_GRAD_INPUT, a.with("input", x.shape().dims()), dy, w);
        Node dw = g.node(Ops.CONV2D_GRAD_WEIGHT, a.with("weight", w.shape().dims()), x, dy);
        return List.of(dx, dw);
    }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        return Conv2dGeometry.of(shapes.get(0), shapes.get(1), a).forward(in.get(0), in.get(1));
    }

    public void lower(Lowering cx, Node y) {
        Node x = y.in(0), w = y.in(1);
        String shape = Conv2dGeometry.constant(cx, x.shape(), w.shape(), y.attrs());
        String epi = cx.epilogue(y);
        cx.emit("Conv2d.forward(" + cx.array(x) + ", " + cx.offset(x) + ", " + cx.array(w) + ", " + cx.offset(w) + ", "
                + cx.array(y) + ", " + cx.offset(y) + ", " + shape + ", " + cx.size(x.shape().size(0)) + (epi == null ? "" : ", " + epi) + ");");
    }

    /** The layer's bias is per output channel (axis 1), added with the ReLU as each image's channels are done. */
    @Override public int epilogueAxis(Node y) { return 1; }

    public TestSpec testSpec() { return Conv2dGeometry.spec(); }
}
