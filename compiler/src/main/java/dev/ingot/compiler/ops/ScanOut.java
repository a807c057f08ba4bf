package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Result {@code index} of a {@link Scan} (a final carry or a stacked per-step output); its type is
 * an attribute. Written by the scan's loop kernel; gradients flow through {@link Scan#vjpMulti}.
 */
public final class ScanOut implements Control {
    public String name() { return "scan_out"; }

    static Node of(GraphBuilder b, Node scan, int index, TensorType t) {
        return b.node(Ops.SCAN_OUT, Attrs.of("index", index, "dtype", t.dtype().name(), "shape", t.shape().dims()), scan);
    }

    public TensorType inferType(List<TensorType> in, Attrs a) { return new TensorType(DType.valueOf(a.s("dtype")), new Shape(a.ints("shape"))); }

    public List<Node> vjp(GraphBuilder g, Node out, Node dOut) { return null; }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        throw new UnsupportedOperationException("the interpreter runs scans itself");
    }
}
