package dev.ingot.compiler.frontend;

import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.SourceLoc;
import dev.ingot.runtime.model.TrainConfig;
import java.util.List;
import java.util.Map;

/**
 * A model as the frontend leaves it: its leaves and named results as graph nodes, plus the training
 * setup. {@code Compiler} turns it into the predict, evaluate and training-step graphs.
 *
 * @param outputs  the {@code output} declarations, in order
 * @param loss     the loss, or null when the model declares none (inference only)
 * @param train    the train block, or null
 * @param optimizerHyper resolved optimizer hyperparameters (defaults filled in), or null
 * @param buffers  non-trainable state declared by layers ({@code buffer running_mean: [c] = zeros})
 * @param trainUpdates updates of buffers that happen in the training step only (running statistics)
 * @param clipNorm gradient clipping by global norm (0: none)
 * @param steps    the train block's {@code step NAME { ... }} declarations in the order a batch runs them; empty
 *                 for a model with one training step (its {@code loss} and the train block's optimizer)
 * @param reports  the train block's {@code report: [a, b]}: scalar values computed by {@code evaluate}, averaged
 *                 over the test set and reported under their own names
 */
public record ModelIr(String name, SourceFile source, SourceLoc loc, List<Node> inputs, List<Node> labels, List<Node> params,
                      Map<String, Node> outputs, Node loss, TrainConfig train, String optimizer, Map<String, Double> optimizerHyper,
                      dev.ingot.compiler.optim.Schedule schedule, List<Node> buffers,
                      List<dev.ingot.compiler.ir.Graph.Update> trainUpdates, double clipNorm, List<Step> steps, Map<String, Node> reports) {
    /** One of several training steps: its loss, optimizer (hyperparameters, schedule, clipping) and the parameters it updates. */
    public record Step(String name, Node loss, String optimizer, Map<String, Double> hyper, dev.ingot.compiler.optim.Schedule schedule,
                       double clipNorm, List<Node> params) {}
}
