package dev.ingot.compiler.optim;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimizer written as IR: given each parameter and its gradient, it appends the update
 * {@code param <- new value} and the updates of its own state (moments, step powers) to the
 * training graph, so the update fuses into the training step like any elementwise chain.
 * State tensors are named {@code opt.<param>.<what>} and saved in checkpoints.
 */
public interface Optimizer {
    String name();

    /** Hyperparameters with their defaults (PyTorch's), in documentation order. */
    Map<String, Double> defaults();

    /** Appends updates for every (param, grad) pair to {@code out}; {@code lr} is this step's learning rate (a scalar node). */
    void apply(GraphBuilder b, List<Node> params, List<Node> grads, Map<String, Double> hyper, Node lr, List<Graph.Update> out);

    /** All optimizers, by DSL name. */
    static Map<String, Optimizer> all() {
        Map<String, Optimizer> m = new LinkedHashMap<>();
        for (Optimizer o : List.of(new Sgd(), new Adam(false), new Adam(true))) m.put(o.name(), o);
        return m;
    }

    /** A state leaf named after its parameter, initialized to {@code initial}. */
    static Node state(GraphBuilder b, Node param, String what, double initial) {
        return b.state("opt." + param.attrs().s("name") + "." + what, param.type(), initial);
    }

    /**
     * Below this magnitude a moment is stored as 0 ({@link #flushTiny}). Far below anything that moves a parameter (an
     * Adam step of a moment this small is ~1e-22 of the learning rate), and far enough above the float subnormal range
     * (below 1.2e-38) that multiplying it by a decay factor, the next step, cannot make a subnormal.
     */
    double TINY = 1e-30;

    /**
     * {@code |x| < threshold ? 0 : x}, fused into the update like the rest of it. A moment whose gradient is exactly 0
     * for a while (an MNIST border pixel's weights) decays geometrically through the float subnormals, and on Intel
     * cores every vector instruction that produces or reads a subnormal takes a microcode assist (~150 cycles); Java
     * cannot set the flush-to-zero mode, so the update flushes instead. Measured on mnist_autoencoder after ~6,000 steps:
     * the first layer's Adam update took 2.2 ms of a 5.1 ms step.
     */
    static Node flushTiny(GraphBuilder b, Node x, double threshold) {
        return b.where(b.lt(b.abs(x), b.constant(threshold)), b.zero(), x);
    }
}
