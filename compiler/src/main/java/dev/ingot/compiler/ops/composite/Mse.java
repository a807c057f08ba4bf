package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.compiler.ops.ShapeError;

/** {@code mse(prediction, target) = mean((prediction - target)^2)} over all elements (PyTorch's MSELoss). */
public final class Mse implements Builtin {
    public String name() { return "mse"; }
    public Signature signature() { return Signature.of(Builtin.tensor("prediction"), Builtin.tensor("target")); }

    public Node call(GraphBuilder b, Args a) {
        Node p = a.tensor("prediction"), t = a.tensor("target");
        if (!p.shape().equals(t.shape())) throw new ShapeError("mse: prediction " + p.shape() + " and target " + t.shape() + " differ");
        Node d = b.sub(p, t);
        return Mean.mean(b, b.mul(d, d), GraphBuilder.allAxes(p.shape().rank()), false);
    }
}
