package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ShapeError;

/**
 * {@code batch_normalize(x, gamma, beta, running_mean, running_var, momentum = 0.1, eps = 1e-5)}, as
 * PyTorch's {@code BatchNorm1d/2d}: per channel (axis 1), over every other axis.
 * <ul>
 *   <li>Training: normalize with the batch's mean and (biased) variance; update the running
 *       statistics {@code r = (1 - momentum) * r + momentum * s}, with the unbiased variance (PyTorch's
 *       convention: momentum is the weight of the new batch; Keras' 0.99 is PyTorch's 0.01).</li>
 *   <li>Inference (predict, evaluate): normalize with the running statistics.</li>
 * </ul>
 * The running statistics are buffers (model state, saved in checkpoints) updated inside the
 * compiled training step.
 */
public final class BatchNorm implements Builtin {
    public String name() { return "batch_normalize"; }

    public Signature signature() {
        return Signature.of(Builtin.tensor("x"), Builtin.tensor("gamma"), Builtin.tensor("beta"), Builtin.tensor("running_mean"),
                Builtin.tensor("running_var"), Builtin.param("momentum", Kind.NUMBER, 0.1), Builtin.param("eps", Kind.NUMBER, 1e-5));
    }

    public Node call(GraphBuilder b, Args a) {
        Node x = a.tensor("x"), gamma = a.tensor("gamma"), beta = a.tensor("beta"), rm = a.tensor("running_mean"), rv = a.tensor("running_var");
        Shape s = x.shape();
        if (s.rank() < 2) throw new ShapeError("batch_normalize: expects [batch, channels, ...], got " + s);
        int c = s.dim(1);
        for (Node p : new Node[] {gamma, beta, rm, rv})
            if (!p.shape().equals(Shape.of(c))) throw new ShapeError("batch_normalize: " + s + " has " + c + " channels but a statistic or scale has shape " + p.shape());
        if (rm.op() != Ops.STATE || rv.op() != Ops.STATE) throw new ShapeError("batch_normalize: running_mean and running_var must be buffers (declared with 'buffer')");
        double m = a.d("momentum"), eps = a.d("eps");
        int[] axes = new int[s.rank() - 1];
        int[] chan = new int[s.rank()];
        java.util.Arrays.fill(chan, 1);
        chan[1] = c;
        for (int i = 0, k = 0; i < s.rank(); i++) if (i != 1) axes[k++] = i;
        Shape cs = new Shape(chan);
        Node g = b.reshape(gamma, cs), bt = b.reshape(beta, cs);
        // training: batch statistics
        int[] reducedDims = new int[axes.length];
        for (int i = 0; i < axes.length; i++) reducedDims[i] = s.dim(axes[i]);
        Node count = b.count(new Shape(reducedDims));
        Node mean = b.div(b.sum(x, axes, true), count);
        Node d = b.sub(x, mean);
        Node var = b.div(b.sum(b.mul(d, d), axes, true), count);
        Node train = b.add(b.mul(b.div(d, b.sqrt(b.add(var, b.constant(eps)))), g), bt);
        Node unbiased = b.div(b.mul(var, count), b.maximum(b.sub(count, b.one()), b.one()));
        b.trainUpdate(rm, b.add(b.mul(rm, 1 - m), b.mul(b.reshape(mean, rm.shape()), m)));
        b.trainUpdate(rv, b.add(b.mul(rv, 1 - m), b.mul(b.reshape(unbiased, rv.shape()), m)));
        // inference: running statistics
        Node infer = b.add(b.mul(b.div(b.sub(x, b.reshape(rm, cs)), b.sqrt(b.add(b.reshape(rv, cs), b.constant(eps)))), g), bt);
        return b.node(Ops.PHASE, train, infer);
    }
}
