package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * {@code i32(x)} of an f32 tensor: truncation toward zero, as PyTorch's {@code x.int()} and Java's
 * {@code (int)} cast (e.g. {@code one_hot(i32(argmax(logits)), 10)}). Not differentiable. An i32
 * intermediate lives in the float arena (integers up to 2^24 are exact there); i32 consumers
 * ({@code one_hot}, {@code gather}, {@code f32}) read it with a cast.
 */
public final class ToI32 implements Library {
    public String name() { return "f32_to_i32"; }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        if (in.get(0).dtype() != DType.F32) throw new ShapeError("f32_to_i32: argument must be f32, got " + in.get(0));
        return new TensorType(DType.I32, in.get(0).shape());
    }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return Arrays.asList((Node) null); }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        double[] x = in.get(0), r = new double[x.length];
        for (int i = 0; i < r.length; i++) r[i] = (int) x[i];
        return r;
    }

    public void lower(Lowering cx, Node y) {
        Node x = y.in(0);
        cx.emit("for (int i = 0; i < " + cx.size(y.shape().numel()) + "; i++) " + cx.array(y) + "[" + cx.offset(y) + " + i] = (int) "
                + cx.array(x) + "[" + cx.offset(x) + " + i];");
    }
}
