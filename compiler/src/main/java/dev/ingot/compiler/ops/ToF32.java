package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * {@code f32(x)} of an i32 tensor: each integer as a float (exact up to 2^24). This is also the
 * implicit conversion of the DSL's rule for mixed arithmetic: an i32 operand of {@code + - * /},
 * {@code @} or a comparison is converted to f32 first ({@code positive * 1.0}). Not differentiable
 * (integers carry no gradient).
 */
public final class ToF32 implements Library {
    public String name() { return "i32_to_f32"; }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        if (in.get(0).dtype() != DType.I32) throw new ShapeError("i32_to_f32: argument must be i32, got " + in.get(0));
        return TensorType.f32(in.get(0).shape());
    }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return Arrays.asList((Node) null); }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) { return in.get(0).clone(); }

    public void lower(Lowering cx, Node y) {
        Node x = y.in(0);
        cx.emit("for (int i = 0; i < " + cx.size(y.shape().numel()) + "; i++) " + cx.array(y) + "[" + cx.offset(y) + " + i] = (float) "
                + cx.array(x) + "[" + cx.offset(x) + " + i];");
    }

    public TestSpec testSpec() { return TestSpec.of(0, 1, TestSpec.c(new TensorType(DType.I32, Shape.of(3, 4)))).ints(7); }
}
