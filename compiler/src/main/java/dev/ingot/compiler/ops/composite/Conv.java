package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ShapeError;

/**
 * {@code conv(x, w, stride = 1, padding = "valid", dilation = 1, groups = 1)}: the functional 2-D
 * convolution (PyTorch's {@code F.conv2d} without bias) over NCHW images with OIHW weights, or,
 * for a signal {@code [batch, channels, length]} and weights {@code [out, in / groups, k]}, the 1-D
 * one ({@code F.conv1d}), computed as a 2-D convolution of height 1 (stride, dilation one integer;
 * padding "valid", "same", p or [left, right]). The {@code conv2d} and {@code conv1d} layers of
 * the standard library add the bias and the activation.
 */
public final class Conv implements Builtin {
    public String name() { return "conv"; }

    public Signature signature() {
        return Signature.of(Builtin.tensor("x"), Builtin.tensor("w"), Builtin.param("stride", Kind.INTS, 1),
                Builtin.param("padding", Kind.INTS_OR_STRING, "valid"), Builtin.param("dilation", Kind.INTS, 1), Builtin.param("groups", Kind.INT, 1));
    }

    public Node call(GraphBuilder b, Args a) {
        Node x = a.tensor("x"), w = a.tensor("w");
        if (x.shape().rank() == 3) return conv1d(b, a, x, w);
        Windowing.checkImage("conv", x.shape());
        if (w.shape().rank() != 4) throw new ShapeError("conv: weights must be [out_channels, in_channels/groups, kh, kw], got " + w.shape());
        int[] stride = Windowing.pair("conv", "stride", a.ints("stride")), dil = Windowing.pair("conv", "dilation", a.ints("dilation"));
        if (stride[0] < 1 || stride[1] < 1 || dil[0] < 1 || dil[1] < 1) throw new ShapeError("conv: stride and dilation must be positive");
        int[] k = {w.shape().dim(2), w.shape().dim(3)};
        int[] pad = Windowing.padding("conv", a.raw("padding"), x.shape(), k, stride, dil);
        return b.node(Ops.CONV2D, Attrs.of("stride", stride, "pad", pad, "dilation", dil, "groups", a.i("groups")), x, w);
    }

    private static Node conv1d(GraphBuilder b, Args a, Node x, Node w) {
        if (w.shape().rank() != 3) throw new ShapeError("conv: for a signal [batch, channels, length], weights must be [out_channels, in_channels/groups, k], got " + w.shape());
        int[] stride = Windowing.single("conv", "stride", a.ints("stride")), dil = Windowing.single("conv", "dilation", a.ints("dilation"));
        if (stride[1] < 1 || dil[1] < 1) throw new ShapeError("conv: stride and dilation must be positive");
        Node img = Windowing.asImage(b, x);
        Node w4 = b.reshape(w, dev.ingot.compiler.ir.Shape.of(w.shape().dim(0), w.shape().dim(1), 1, w.shape().dim(2)));
        int[] k = {1, w.shape().dim(2)};
        int[] pad = Windowing.padding("conv", Windowing.padding1d("conv", a.raw("padding")), img.shape(), k, stride, dil);
        return Windowing.asSignal(b, b.node(Ops.CONV2D, Attrs.of("stride", stride, "pad", pad, "dilation", dil, "groups", a.i("groups")), img, w4));
    }
}
