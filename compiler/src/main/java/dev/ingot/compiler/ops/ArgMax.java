package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * Index of the largest element along the last axis (the first on ties), as an f32 holding a whole
 * number, so it can feed {@code gather} (greedy decoding feeds a prediction back in as the next
 * token). Not differentiable.
 */
public final class ArgMax implements Library {
    public String name() { return "argmax"; }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        Shape s = in.get(0).shape();
        if (s.rank() < 1) throw new ShapeError("argmax: needs at least one axis, got a scalar");
        if (s.isBatchDim(s.rank() - 1)) throw new ShapeError("argmax: the last axis cannot be the batch");
        return TensorType.f32(new Shape(Arrays.copyOf(s.dims(), s.rank() - 1)));
    }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return Arrays.asList((Node) null); }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        int[] s = shapes.get(0);
        int k = s[s.length - 1];
        double[] x = in.get(0), r = new double[x.length / k];
        for (int i = 0; i < r.length; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) if (x[i * k + j] > x[i * k + best]) best = j;
            r[i] = best;
        }
        return r;
    }

    public TestSpec testSpec() { return TestSpec.of(-2, 2, TestSpec.c(TensorType.f32(3, 5)), TestSpec.c(TensorType.f32(2, 3, 4))); }

    public void lower(Lowering cx, Node y) {
        Node x = y.in(0);
        int k = x.shape().dim(-1);
        String xa = cx.array(x), xo = cx.offset(x);
        cx.emit("for (int i = 0; i < " + cx.size(y.shape().numel()) + "; i++) { final int row = " + xo + " + i * " + k + "; int best = 0; "
                + "for (int j = 1; j < " + k + "; j++) if (" + xa + "[row + j] > " + xa + "[row + best]) best = j; "
                + cx.array(y) + "[" + cx.offset(y) + " + i] = best; }");
    }
}
