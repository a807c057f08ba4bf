package dev.ingot.runtime.model;

import java.util.List;

/**
 * Everything a runtime needs to know about a compiled model without looking at its code: the
 * tensors it takes and gives, its parameters and non-trainable state, and its training setup.
 *
 * @param name        model name from the DSL
 * @param source      the DSL file it was compiled from (for messages)
 * @param inputs      inputs used by {@code predict} and training (role {@code input})
 * @param labels      inputs used only by the loss (role {@code label})
 * @param outputs     what {@code predict} computes
 * @param params      trainable parameters, in declaration order, with dotted names ({@code fc1.w})
 * @param state       non-trainable state saved in checkpoints (optimizer moments, step counter, running statistics)
 * @param train       the training setup; null for a model without a {@code train} block
 */
public record ModelSpec(String name, String source, List<TensorSpec> inputs, List<TensorSpec> labels,
                        List<TensorSpec> outputs, List<TensorSpec> params, List<TensorSpec> state,
                        TrainConfig train) {
    public ModelSpec {
        inputs = List.copyOf(inputs);
        labels = List.copyOf(labels);
        outputs = List.copyOf(outputs);
        params = List.copyOf(params);
        state = List.copyOf(state);
    }

    /** Total number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (TensorSpec p : params) n += p.numel(1);
        return n;
    }
}
