package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Explicit broadcast to {@code shape}. <p>Forward: {@code y = x} read with broadcast indexing; it is
 * an elementwise identity, so inside a fused loop it costs nothing. Backward: {@code dx = dy},
 * summed back to x's shape by Differentiate.
 */
public final class BroadcastTo implements Elementwise {
    @Override public FusionKind fusionKind() { return FusionKind.BROADCAST; }

    public String name() { return "broadcast_to"; }

    @Override public TensorType inferType(List<TensorType> in, Attrs a) {
        Shape target = new Shape(a.ints("shape"));
        Shape got = Broadcasting.broadcast(name(), in.get(0).shape(), target);
        if (!got.equals(target)) throw new ShapeError("broadcast_to: cannot broadcast " + in.get(0).shape() + " to " + target);
        return in.get(0).withShape(target);
    }

    public double apply(double[] x, Attrs a) { return x[0]; }
    public String scalar(List<String> x, Attrs a) { return x.get(0); }
    public String vector(List<String> x, Attrs a) { return x.get(0); }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return List.of(dy); }

    public TestSpec testSpec() {
        return TestSpec.of(-2, 2, TestSpec.c(Attrs.of("shape", new int[] {3, 4}), TensorType.f32(4)), TestSpec.c(Attrs.of("shape", new int[] {2, 3, 4}), TensorType.f32(3, 1)));
    }
}
