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
 * One-hot encoding of integer labels: {@code i32[...]} to {@code f32[..., depth]}. Not differentiable
 * (labels are data). A label outside {@code [0, depth)} fails the step with the label and its
 * position, rather than training on garbage.
 */
public final class OneHot implements Library {
    public String name() { return "one_hot"; }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        if (in.get(0).dtype() != DType.I32) throw new ShapeError("one_hot: labels must be i32, got " + in.get(0));
        int depth = a.i("depth");
        if (depth < 1) throw new ShapeError("one_hot: depth must be positive, got " + depth);
        int[] s = Arrays.copyOf(in.get(0).shape().dims(), in.get(0).rank() + 1);
        s[s.length - 1] = depth;
        return TensorType.f32(new Shape(s));
    }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return Arrays.asList((Node) null); }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] outShape, Attrs a) {
        int depth = a.i("depth");
        double[] y = in.get(0), r = new double[y.length * depth];
        for (int i = 0; i < y.length; i++) {
            int c = (int) y[i];
            if (c < 0 || c >= depth) throw new IllegalArgumentException("label " + c + " at position " + i + " is outside [0, " + depth + ")");
            r[i * depth + c] = 1;
        }
        return r;
    }

    public void lower(Lowering cx, Node n) {
        Node y = n.in(0);
        int depth = n.attrs().i("depth");
        String count = cx.size(y.shape().numel());
        String out = cx.array(n), off = cx.offset(n), ya = cx.array(y), yo = cx.offset(y);
        cx.emit("java.util.Arrays.fill(" + out + ", " + off + ", " + off + " + (" + count + ") * " + depth + ", 0f);");
        cx.emit("for (int i = 0; i < " + count + "; i++) { int c = (int) " + ya + "[" + yo + " + i]; "
                + "if (c < 0 || c >= " + depth + ") throw new IllegalArgumentException(\"label \" + c + \" at position \" + i + \" is outside [0, " + depth + ")\"); "
                + out + "[" + off + " + i * " + depth + " + c] = 1f; }");
    }

    public TestSpec testSpec() { return TestSpec.of(0, 1, TestSpec.c(Attrs.of("depth", 5), new TensorType(DType.I32, Shape.of(3)))).ints(5); }
}
