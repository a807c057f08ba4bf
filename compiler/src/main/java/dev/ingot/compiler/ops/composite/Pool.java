package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.compiler.ops.Ops;

/**
 * {@code max_pool2d(x, size = 2, stride = size, padding = "valid")} and {@code avg_pool2d(...)}:
 * pooling over NCHW images; the stride defaults to the window, as in PyTorch and Keras. And
 * {@code max_pool1d} / {@code avg_pool1d} over NCL signals (size and stride one integer, padding
 * "valid", "same", p or [left, right]), as pooling of a height-1 image.
 */
public final class Pool implements Builtin {
    private final boolean max, oneD;

    public Pool(boolean max) { this(max, false); }

    public Pool(boolean max, boolean oneD) {
        this.max = max;
        this.oneD = oneD;
    }

    public String name() { return (max ? "max_pool" : "avg_pool") + (oneD ? "1d" : "2d"); }

    public Signature signature() {
        return Signature.of(Builtin.tensor("x"), Builtin.param("size", Kind.INTS, 2), Builtin.param("stride", Kind.INTS, NONE),
                Builtin.param("padding", Kind.INTS_OR_STRING, "valid"));
    }

    public Node call(GraphBuilder b, Args a) {
        Node x = a.tensor("x");
        if (oneD) {
            Windowing.checkSignal(name(), x.shape());
            Node img = Windowing.asImage(b, x);
            int[] k = Windowing.single(name(), "size", a.ints("size"));
            int[] s = a.has("stride") ? Windowing.single(name(), "stride", a.ints("stride")) : k;
            int[] pad = Windowing.padding(name(), Windowing.padding1d(name(), a.raw("padding")), img.shape(), k, s, new int[] {1, 1});
            return Windowing.asSignal(b, b.node(max ? Ops.MAX_POOL2D : Ops.AVG_POOL2D, Attrs.of("kernel", k, "stride", s, "pad", pad), img));
        }
        Windowing.checkImage(name(), x.shape());
        int[] k = Windowing.pair(name(), "size", a.ints("size"));
        int[] s = a.has("stride") ? Windowing.pair(name(), "stride", a.ints("stride")) : k;
        int[] pad = Windowing.padding(name(), a.raw("padding"), x.shape(), k, s, new int[] {1, 1});
        return b.node(max ? Ops.MAX_POOL2D : Ops.AVG_POOL2D, Attrs.of("kernel", k, "stride", s, "pad", pad), x);
    }
}
