package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * Select by a bool mask, with broadcasting. <p>Forward: {@code y = c ? a : b}.
 * Backward: {@code da = where(c, dy, 0)}, {@code db = where(c, 0, dy)}; no gradient to the mask.
 */
public final class Where implements Elementwise {
    public String name() { return "where"; }
    @Override public DType inDType(int i) { return i == 0 ? DType.BOOL : DType.F32; }
    public double apply(double[] x, Attrs a) { return x[0] != 0 ? x[1] : x[2]; }
    public String scalar(List<String> x, Attrs a) { return "(" + x.get(0) + " ? " + x.get(1) + " : " + x.get(2) + ")"; }
    public String vector(List<String> x, Attrs a) { return x.get(2) + ".blend(" + x.get(1) + ", " + x.get(0) + ")"; }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) {
        Node c = y.in(0);
        return Arrays.asList(null, g.where(c, dy, g.zero()), g.where(c, g.zero(), dy));
    }

    public TestSpec testSpec() {
        var m = new TensorType(DType.BOOL, dev.ingot.compiler.ir.Shape.of(3, 4));
        return TestSpec.of(-2, 2, TestSpec.c(m, TensorType.f32(3, 4), TensorType.f32(3, 4)), TestSpec.c(m, TensorType.f32(4), TensorType.F32_SCALAR));
    }
}
