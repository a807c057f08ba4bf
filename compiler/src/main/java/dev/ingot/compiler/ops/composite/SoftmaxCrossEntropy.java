package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.compiler.ops.ShapeError;
import java.util.Arrays;

/**
 * {@code softmax_cross_entropy(logits, labels)}: the mean over all examples (and steps) of
 * {@code -log softmax(logits)[label]}, PyTorch's {@code cross_entropy} with mean reduction.
 * Integer labels have the logits' shape without the class axis; f32 labels of the logits' shape are
 * class probabilities (soft labels).
 * <p>Expansion: {@code -mean(sum(one_hot(labels) * log_softmax(logits), -1))}; its gradient
 * simplifies to {@code (softmax(logits) - one_hot(labels)) / count}.
 */
public final class SoftmaxCrossEntropy implements Builtin {
    public String name() { return "softmax_cross_entropy"; }
    public Signature signature() { return Signature.of(Builtin.tensor("logits"), Builtin.tensor("labels")); }

    public Node call(GraphBuilder b, Args a) {
        Node logits = a.tensor("logits"), labels = a.tensor("labels");
        Shape ls = logits.shape();
        if (ls.rank() < 1) throw new ShapeError("softmax_cross_entropy: logits must have a class axis, got a scalar");
        int classes = ls.dim(-1);
        Node target;
        if (labels.dtype() == DType.I32) {
            Shape want = new Shape(Arrays.copyOf(ls.dims(), ls.rank() - 1));
            if (!labels.shape().equals(want))
                throw new ShapeError("softmax_cross_entropy: logits " + ls + " need integer labels of shape " + want + ", got " + labels.shape());
            target = b.oneHot(labels, classes);
        } else {
            if (!labels.shape().equals(ls))
                throw new ShapeError("softmax_cross_entropy: logits " + ls + " and probability labels " + labels.shape() + " differ; integer labels must be i32");
            target = labels;
        }
        Node logp = LogSoftmax.logSoftmax(b, logits, -1);
        Node perExample = b.sum(b.mul(target, logp), new int[] {ls.rank() - 1}, false);
        return b.neg(Mean.mean(b, perExample, GraphBuilder.allAxes(perExample.shape().rank()), false));
    }
}
