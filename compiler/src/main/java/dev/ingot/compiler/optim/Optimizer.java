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
}
