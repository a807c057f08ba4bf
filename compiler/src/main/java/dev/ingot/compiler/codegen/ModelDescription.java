package dev.ingot.compiler.codegen;

import dev.ingot.compiler.ir.Node;
import dev.ingot.runtime.model.TrainConfig;
import java.util.List;
import java.util.Map;

/**
 * What the generated class exposes, independent of the entry-point graphs: names and leaf nodes of
 * inputs, labels, parameters (with their initializers) and outputs, and the training setup.
 */
public record ModelDescription(String className, String modelName, String sourceName, String sourceHash,
                               List<Node> inputs, List<Node> labels, List<Node> params, Map<String, Node> outputs,
                               TrainConfig train) {
    public long parameterCount() {
        long n = 0;
        for (Node p : params) n += p.shape().numel().constant();
        return n;
    }
}
