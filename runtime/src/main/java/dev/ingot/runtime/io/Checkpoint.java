package dev.ingot.runtime.io;

import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.ModelSpec;
import dev.ingot.runtime.model.TensorSpec;
import dev.ingot.runtime.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Saves and restores a compiled model's parameters and state as a safetensors file, readable by
 * PyTorch ({@code safetensors.torch.load_file}) and Hugging Face tools.
 *
 * <p>Every tensor of {@link CompiledModel#tensors()} is stored as F32 under its own name
 * ({@code fc1.w}, optimizer state such as {@code fc1.w.m}) with the shape from
 * {@link CompiledModel#tensorSpecs()}. NOTE: F32 even for a state tensor declared i32 (a step
 * counter), because the contract exposes all of them as {@code float[]}.
 *
 * <p>The metadata records {@code format=ingot}, the model name and source, plus anything the
 * caller adds. Loading checks the whole file against the model before copying anything, so a
 * failed load leaves the model untouched.
 */
public final class Checkpoint {
    private Checkpoint() {}

    /** Metadata key of the model name. */
    public static final String MODEL_KEY = "model";

    /** What a load did: the tensors copied, the state tensors left as they were (weights-only), and the file's metadata. */
    public record LoadResult(List<String> loaded, List<String> skipped, Map<String, String> metadata) {}

    /** Writes the model's parameters and state to {@code path}, atomically; {@code metadata} may be empty. */
    public static void save(Path path, CompiledModel model, Map<String, String> metadata) throws IOException {
        ModelSpec spec = model.spec();
        Map<String, float[]> arrays = model.tensors();
        List<SafeTensors.Entry> entries = new ArrayList<>();
        for (TensorSpec t : model.tensorSpecs()) {
            if (t.hasBatch()) throw new IllegalStateException("tensor '" + t.name() + "' has a batch dimension; cannot save it");
            float[] a = arrays.get(t.name());
            long n = t.numel(1);
            if (a == null || a.length < n) {
                throw new IllegalStateException("model '" + spec.name() + "': array of tensor '" + t.name() + "' holds "
                        + (a == null ? "nothing" : a.length + " values") + ", shape " + t.shapeString() + " needs " + n);
            }
            float[] data = a.length == n ? a : Arrays.copyOf(a, (int) n);
            entries.add(SafeTensors.Entry.f32(t.name(), t.shape(), data));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "ingot");
        meta.put(MODEL_KEY, spec.name());
        if (spec.source() != null) meta.put("source", spec.source());
        meta.putAll(metadata);
        SafeTensors.write(path, entries, meta);
    }

    /** Loads parameters and state from {@code path} into the model; every tensor must be present and match. */
    public static LoadResult load(Path path, CompiledModel model) throws IOException {
        return load(path, model, false);
    }

    /**
     * Loads {@code path} into the model. With {@code weightsOnly}, state tensors (optimizer
     * moments, step counter, random seed) missing from the file are allowed and keep their current
     * values, and the file's own optimizer and random state ({@code opt.*}, {@code rng.*}) that the
     * model does not have (an inference-only class) are ignored; parameters must always be present.
     * A mismatch names every tensor involved with both shapes.
     */
    public static LoadResult load(Path path, CompiledModel model, boolean weightsOnly) throws IOException {
        ModelSpec spec = model.spec();
        try (SafeTensors.Reader r = SafeTensors.open(path)) {
            Set<String> modelNames = model.tensorSpecs().stream().map(TensorSpec::name).collect(Collectors.toSet());
            List<String> unexpected = r.tensors().stream().map(SafeTensors.Info::name).filter(n -> !modelNames.contains(n))
                    .filter(n -> !(weightsOnly && (n.startsWith("opt.") || n.startsWith("rng.")))).sorted()
                    .map(n -> n + "' " + Tensor.shapeString(r.info(n).shape()) + " '").collect(Collectors.toList());
            List<String> conflicts = new ArrayList<>();
            for (TensorSpec t : model.tensorSpecs()) {
                SafeTensors.Info info = r.info(t.name());
                if (info != null && !Arrays.equals(info.shape(), t.shape()))
                    conflicts.add("'" + t.name() + "': checkpoint has " + Tensor.shapeString(info.shape()) + ", model expects " + Tensor.shapeString(t.shape()));
            }
            List<String> missingParams = missing(r, spec.params());
            List<String> missingState = missing(r, spec.state());
            String fileModel = r.metadata().get(MODEL_KEY);
            String other = fileModel != null && !fileModel.equals(spec.name()) ? " (it was saved from model '" + fileModel + "')" : "";
            if (!unexpected.isEmpty()) {
                List<String> missingAll = new ArrayList<>();
                for (TensorSpec t : model.tensorSpecs())
                    if (r.info(t.name()) == null && (!weightsOnly || missingParams.contains(t.name()))) missingAll.add(t.name() + "' " + Tensor.shapeString(t.shape()) + " '");
                throw new DataFormatException("checkpoint " + path + " does not match model '" + spec.name() + "'" + other
                        + ": unexpected " + plural(unexpected, "tensor") + " " + quoted(unexpected)
                        + (missingAll.isEmpty() ? "" : "; missing " + quoted(missingAll))
                        + (conflicts.isEmpty() ? "" : "; shapes differ: " + String.join(", ", conflicts)));
            }
            if (!missingParams.isEmpty()) {
                throw new DataFormatException("checkpoint " + path + " has no " + plural(missingParams, "tensor") + " " + quoted(missingParams) + other);
            }
            if (!missingState.isEmpty() && !weightsOnly) {
                throw new DataFormatException("checkpoint " + path + " has no " + plural(missingState, "state tensor") + " "
                        + quoted(missingState) + " (optimizer state); load weights only to start it afresh");
            }
            for (TensorSpec t : model.tensorSpecs()) {
                SafeTensors.Info info = r.info(t.name());
                if (info == null) continue;
                if (!Arrays.equals(info.shape(), t.shape())) {
                    throw new DataFormatException("checkpoint " + path + ": tensor '" + t.name() + "': checkpoint has "
                            + Tensor.shapeString(info.shape()) + ", model expects " + Tensor.shapeString(t.shape()) + other);
                }
                if (!SafeTensors.isFloat(info.dtype())) {
                    throw new DataFormatException("checkpoint " + path + ": tensor '" + t.name() + "' has dtype " + info.dtype()
                            + ", expected a float type (F32, F16, BF16, F64)");
                }
            }
            // Everything checked: now copy into the live arrays.
            Map<String, float[]> arrays = model.tensors();
            List<String> loaded = new ArrayList<>();
            for (TensorSpec t : model.tensorSpecs()) {
                SafeTensors.Info info = r.info(t.name());
                if (info == null) continue;
                float[] dst = arrays.get(t.name());
                if (dst.length == info.numel()) {
                    r.readF32(info, dst);
                } else {
                    System.arraycopy(r.readF32(t.name()), 0, dst, 0, (int) info.numel());
                }
                loaded.add(t.name());
            }
            return new LoadResult(List.copyOf(loaded), List.copyOf(missingState), r.metadata());
        }
    }

    private static List<String> missing(SafeTensors.Reader r, List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::name).filter(n -> r.info(n) == null).collect(Collectors.toList());
    }

    private static String plural(List<String> l, String word) { return l.size() == 1 ? word : word + "s"; }

    private static String quoted(List<String> names) {
        int max = 8;
        String s = names.stream().limit(max).map(n -> ("'" + n + "'").replace(" ''", "")).collect(Collectors.joining(", "));
        return names.size() > max ? s + ", ... (" + names.size() + " in all)" : s;
    }
}
