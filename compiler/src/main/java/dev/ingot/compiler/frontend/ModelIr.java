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
 */
public record ModelIr(String name, SourceFile source, SourceLoc loc, List<Node> inputs, List<Node> labels, List<Node> params,
                      Map<String, Node> outputs, Node loss, TrainConfig train, String optimizer, Map<String, Double> optimizerHyper,
                      dev.ingot.compiler.optim.Schedule schedule, List<Node> buffers,
                      List<dev.ingot.compiler.ir.Graph.Update> trainUpdates, double clipNorm) {}
