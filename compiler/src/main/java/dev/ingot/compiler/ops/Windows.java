package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.Shape;

/**
 * Sliding-window geometry shared by convolution and pooling (NCHW): kernel, stride, padding
 * ({@code [top, left, bottom, right]}) and dilation, with PyTorch's output-size rule, and the
 * compile-time checks that report a window that does not fit in the user's terms.
 */
record Windows(int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, int dh, int dw) {
    static Windows of(Attrs a, int kh, int kw) {
        int[] st = a.ints("stride"), pad = a.ints("pad");
        int[] dil = a.has("dilation") ? a.ints("dilation") : new int[] {1, 1};
        return new Windows(kh, kw, st[0], st[1], pad[0], pad[1], pad[2], pad[3], dil[0], dil[1]);
    }

    /** Output height for input height h, or a ShapeError naming the op and the sizes. */
    int oh(String op, int h, int w) { return out(op, h, w, true); }
    int ow(String op, int h, int w) { return out(op, h, w, false); }

    private int out(String op, int h, int w, boolean rows) {
        int span = rows ? dh * (kh - 1) + 1 : dw * (kw - 1) + 1;
        int padded = rows ? h + pt + pb : w + pl + pr;
        if (span > padded)
            throw new ShapeError(op + ": the " + kh + "x" + kw + " window" + (dh > 1 || dw > 1 ? " (dilation " + dh + "x" + dw + ")" : "")
                    + " does not fit in the padded " + (h + pt + pb) + "x" + (w + pl + pr) + " input (" + h + "x" + w + " plus padding)");
        return (padded - span) / (rows ? sh : sw) + 1;
    }

    static void checkNchw(String op, Shape s) {
        if (s.rank() != 4) throw new ShapeError(op + ": expects an NCHW input [batch, channels, height, width], got " + s);
        for (int i = 1; i < 4; i++) if (s.isBatchDim(i)) throw new ShapeError(op + ": the batch dimension must come first in " + s);
    }

    /** Java for the runtime's window description (Conv2dShape or Pool2dShape arguments after the channel/size ones). */
    String javaArgs() { return kh + ", " + kw + ", " + sh + ", " + sw + ", " + pt + ", " + pl + ", " + pb + ", " + pr; }

    static Attrs attrs(int[] stride, int[] pad, int[] dilation) { return Attrs.of("stride", stride, "pad", pad, "dilation", dilation); }
}
