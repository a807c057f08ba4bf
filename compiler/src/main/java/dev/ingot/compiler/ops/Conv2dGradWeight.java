package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * The gradient of {@code conv2d} with respect to its weights ({@code weight} attribute: their
 * shape), summed over the batch: the correlation of the input with {@code dy}. Produced by
 * {@link Conv2d#vjp}; not differentiated again.
 */
public final class Conv2dGradWeight implements Library {
    public String name() { return "conv2d_grad_weight"; }

    public TensorType inferType(List<TensorType> in, Attrs a) { return TensorType.f32(new Shape(a.ints("weight"))); }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return null; }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        return Conv2dGeometry.of(shapes.get(0), out, a).gradWeight(in.get(0), in.get(1));
    }

    public void lower(Lowering cx, Node dw) {
        Node x = dw.in(0), dy = dw.in(1);
        String shape = Conv2dGeometry.constant(cx, x.shape(), dw.shape(), dw.attrs());
        cx.emit("Conv2d.backwardWeight(" + cx.array(x) + ", " + cx.offset(x) + ", " + cx.array(dy) + ", " + cx.offset(dy) + ", "
                + cx.array(dw) + ", " + cx.offset(dw) + ", " + shape + ", " + cx.size(x.shape().size(0)) + ");");
    }
}
