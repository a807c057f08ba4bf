package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * The gradient of {@code conv2d} with respect to its input: the transposed convolution of
 * {@code dy} with the weights, back to the input shape ({@code input} attribute). Produced by
 * {@link Conv2d#vjp}; not differentiated again.
 */
public final class Conv2dGradInput implements Library {
    public String name() { return "conv2d_grad_input"; }

    public TensorType inferType(List<TensorType> in, Attrs a) { return TensorType.f32(new Shape(a.ints("input"))); }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return null; }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        return Conv2dGeometry.of(out, shapes.get(1), a).gradInput(in.get(0), in.get(1));
    }

    public void lower(Lowering cx, Node dx) {
        Node dy = dx.in(0), w = dx.in(1);
        String shape = Conv2dGeometry.constant(cx, dx.shape(), w.shape(), dx.attrs());
        cx.emit("Conv2d.backwardInput(" + cx.array(dy) + ", " + cx.offset(dy) + ", " + cx.array(w) + ", " + cx.offset(w) + ", "
                + cx.array(dx) + ", " + cx.offset(dx) + ", " + shape + ", " + cx.size(dx.shape().size(0)) + ");");
    }
}
