package dev.ingot.cli;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.io.SafeTensors;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.TensorSpec;
import dev.ingot.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Loads a training checkpoint ({@code ingot train --save}) into an inference-only model. Such a
 * model has no optimizer state, and {@link dev.ingot.runtime.io.Checkpoint#load} (even weights-only)
 * rejects tensors the model does not have; here the optimizer's tensors ({@code opt.*}) are
 * skipped. Every parameter and state tensor of the model must be in the file with its shape; any
 * other extra tensor means another model and fails. Nothing is copied unless everything matches.
 */
final class Weights {
    /** Prefix of the optimizer's state tensors in a checkpoint (moments, step powers, {@code opt.total_steps}). */
    static final String OPTIMIZER_PREFIX = "opt.";

    private Weights() {}

    /** Returns the number of tensors loaded. */
    static int loadForInference(Path path, CompiledModel model) throws IOException {
        String name = model.spec().name();
        try (SafeTensors.Reader r = SafeTensors.open(path)) {
            Set<String> mine = model.tensorSpecs().stream().map(TensorSpec::name).collect(Collectors.toSet());
            List<String> unexpected = r.tensors().stream().map(SafeTensors.Info::name)
                    .filter(n -> !mine.contains(n) && !n.startsWith(OPTIMIZER_PREFIX)).sorted().collect(Collectors.toList());
            List<String> missing = model.tensorSpecs().stream().map(TensorSpec::name).filter(n -> r.info(n) == null).collect(Collectors.toList());
            String saved = r.metadata().get("model");
            String other = saved != null && !saved.equals(name) ? " (it was saved from model '" + saved + "')" : "";
            if (!unexpected.isEmpty() || !missing.isEmpty()) {
                List<String> parts = new ArrayList<>();
                if (!missing.isEmpty()) parts.add("missing " + quoted(missing));
                if (!unexpected.isEmpty()) parts.add("unexpected " + quoted(unexpected));
                throw new DataFormatException("checkpoint " + path + " does not match model '" + name + "'" + other + ": " + String.join("; ", parts));
            }
            for (TensorSpec t : model.tensorSpecs()) {
                SafeTensors.Info info = r.info(t.name());
                if (!Arrays.equals(info.shape(), t.shape())) {
                    throw new DataFormatException("checkpoint " + path + ": tensor '" + t.name() + "': checkpoint has "
                            + Tensor.shapeString(info.shape()) + ", model expects " + Tensor.shapeString(t.shape()) + other);
                }
                if (!List.of("F32", "F64", "F16", "BF16").contains(info.dtype())) {
                    throw new DataFormatException("checkpoint " + path + ": tensor '" + t.name() + "' has dtype " + info.dtype() + ", expected a float type");
                }
            }
            var arrays = model.tensors();
            for (TensorSpec t : model.tensorSpecs()) {
                SafeTensors.Info info = r.info(t.name());
                float[] dst = arrays.get(t.name());
                if (dst.length == info.numel()) r.readF32(info, dst);
                else System.arraycopy(r.readF32(t.name()), 0, dst, 0, (int) info.numel());
            }
            return model.tensorSpecs().size();
        }
    }

    private static String quoted(List<String> names) {
        String s = names.stream().limit(8).map(n -> "'" + n + "'").collect(Collectors.joining(", "));
        return names.size() > 8 ? s + ", ... (" + names.size() + " in all)" : s;
    }
}
