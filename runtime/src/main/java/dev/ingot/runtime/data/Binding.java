package dev.ingot.runtime.data;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.ModelSpec;
import dev.ingot.runtime.model.TensorSpec;
import dev.ingot.runtime.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Which data field feeds which model input or label, e.g. {@code image -> x, label -> y}.
 *
 * <p>Every data field has a {@link Dataset.Role}: {@code INPUT} fields feed model inputs,
 * {@code TARGET} fields feed model labels, {@code ANY} (a hand-built dataset) either. Resolution,
 * for every model input (and label, when labels are needed) in spec order:
 * <ol>
 *   <li>an explicit {@link #bind(String, String) bind(field, input)} (any role: the user knows);</li>
 *   <li>otherwise a data field of the right role with the same name as the input;</li>
 *   <li>otherwise, by elimination within the role: when exactly one unbound input (or label) and
 *       exactly one unused field of its role remain for a dtype, looking first at those of the same
 *       per-example size, then at all of that dtype, those two. So MNIST's {@code image}/{@code label}
 *       bind to a model's {@code x}/{@code y}, and a character corpus's {@code ids}/{@code next}
 *       (both i32 of the same shape) to a model's {@code tokens}/{@code target}, without
 *       configuration.</li>
 * </ol>
 * Then every pair is checked: dtype (an i32 field may feed an f32 input, not the reverse), a
 * leading batch dimension, and the number of values per example. NOTE: only the count must match,
 * not the shape: data {@code [28, 28]} feeds a model input {@code [batch, 784]}, as row-major
 * layout is the same.
 */
public final class Binding {
    private final List<String[]> explicit; // {field, modelName}

    private Binding(List<String[]> explicit) { this.explicit = explicit; }

    /** No explicit pairs: binding by name, then by elimination. */
    public static Binding auto() { return new Binding(List.of()); }

    /** Explicit pairs, data field name → model input or label name. */
    public static Binding of(Map<String, String> fieldToModel) {
        Binding b = auto();
        for (Map.Entry<String, String> e : fieldToModel.entrySet()) b = b.bind(e.getKey(), e.getValue());
        return b;
    }

    /** This binding plus the pair {@code field -> modelName}. A field may feed several inputs. */
    public Binding bind(String field, String modelName) {
        List<String[]> l = new ArrayList<>(explicit);
        l.add(new String[] {field, modelName});
        return new Binding(l);
    }

    /**
     * Resolves and checks the binding: model input/label name → data field name, in spec order.
     * @param withLabels whether labels are needed too (training and evaluation) or inputs only (prediction)
     */
    public Map<String, String> resolve(Dataset data, ModelSpec spec, boolean withLabels) {
        List<TensorSpec> wanted = new ArrayList<>(spec.inputs());
        if (withLabels) wanted.addAll(spec.labels());
        Map<String, TensorSpec> byName = new LinkedHashMap<>();
        for (TensorSpec t : wanted) byName.put(t.name(), t);

        Map<String, String> bound = new LinkedHashMap<>(); // model name -> field
        for (String[] pair : explicit) {
            data.field(pair[0]); // fails clearly if absent
            if (!byName.containsKey(pair[1])) {
                boolean isLabel = spec.labels().stream().anyMatch(t -> t.name().equals(pair[1]));
                if (isLabel) continue; // labels bound but not needed (prediction): fine
                throw new DataFormatException("model '" + spec.name() + "' has no input or label '" + pair[1] + "' (inputs: "
                        + names(spec.inputs()) + "; labels: " + names(spec.labels()) + ")");
            }
            String prev = bound.put(pair[1], pair[0]);
            if (prev != null && !prev.equals(pair[0])) {
                throw new DataFormatException("model input '" + pair[1] + "' is bound twice: to data fields '" + prev + "' and '" + pair[0] + "'");
            }
        }
        for (TensorSpec t : wanted) {
            if (!bound.containsKey(t.name()) && data.has(t.name()) && data.field(t.name()).role().feeds(isLabel(spec, t))) {
                bound.put(t.name(), t.name());
            }
        }
        eliminate(spec, wanted, data, bound, true);
        eliminate(spec, wanted, data, bound, false);

        Map<String, String> result = new LinkedHashMap<>();
        for (TensorSpec t : wanted) {
            String field = bound.get(t.name());
            if (field == null) {
                boolean label = isLabel(spec, t);
                throw new DataFormatException("model " + role(spec, t) + " '" + t.name() + "' (" + t.dtype().dslName() + t.shapeString()
                        + ") is not bound to a data field; data fields: "
                        + data.fields().stream().map(Binding::describe).collect(Collectors.joining(", "))
                        + data.fields().stream().filter(f -> f.dtype() == t.dtype() && f.role().feeds(label)).findFirst()
                                .or(() -> data.fields().stream().filter(f -> f.dtype() == t.dtype()).findFirst())
                                .map(f -> " (bind one explicitly, e.g. " + f.name() + "=" + t.name() + ")")
                                .orElse(" (none is " + t.dtype().dslName() + ")"));
            }
            check(data.field(field), t, role(spec, t));
            result.put(t.name(), field);
        }
        return result;
    }

    /**
     * Pairs the only open model tensor of a role (input or label) and dtype with the only unused
     * field of that role and dtype (and, when {@code sameSize}, of its per-example size). The
     * size-aware pass runs first so that e.g. an f32 label field does not block an f32 image; the
     * second pass pairs mismatched sizes so that the check reports the size mismatch, the most
     * useful error.
     */
    private static void eliminate(ModelSpec spec, List<TensorSpec> wanted, Dataset data, Map<String, String> bound, boolean sameSize) {
        for (TensorSpec t : wanted) {
            if (bound.containsKey(t.name())) continue;
            boolean label = isLabel(spec, t);
            long open = wanted.stream().filter(o -> o.dtype() == t.dtype() && !bound.containsKey(o.name()) && isLabel(spec, o) == label
                    && (!sameSize || o.numelPerExample() == t.numelPerExample())).count();
            List<Dataset.Field> unused = data.fields().stream().filter(f -> f.dtype() == t.dtype() && !bound.containsValue(f.name())
                    && f.role().feeds(label) && (!sameSize || f.perExample() == t.numelPerExample())).collect(Collectors.toList());
            if (open == 1 && unused.size() == 1) bound.put(t.name(), unused.get(0).name());
        }
    }

    /** {@code image f32[28, 28]}, with the role when it is declared: {@code ids i32[64] (input)}. */
    private static String describe(Dataset.Field f) {
        return f.role() == Dataset.Role.ANY ? f.describe() : f.describe() + " (" + f.role().lowerName() + ")";
    }

    private static boolean isLabel(ModelSpec spec, TensorSpec t) { return spec.labels().contains(t); }

    /** Resolves the binding against a live model and returns the batcher targets (its input buffers). */
    public List<Batcher.Target> targets(Dataset data, CompiledModel model, boolean withLabels) {
        ModelSpec spec = model.spec();
        List<TensorSpec> all = new ArrayList<>(spec.inputs());
        all.addAll(spec.labels());
        List<Batcher.Target> out = new ArrayList<>();
        for (Map.Entry<String, String> e : resolve(data, spec, withLabels).entrySet()) {
            TensorSpec t = all.stream().filter(s -> s.name().equals(e.getKey())).findFirst().orElseThrow();
            Dataset.Field f = data.field(e.getValue());
            out.add(t.dtype() == DType.F32 ? new Batcher.Target(f, model.inputF32(t.name()), null)
                                           : new Batcher.Target(f, null, model.inputI32(t.name())));
        }
        return out;
    }

    private static void check(Dataset.Field f, TensorSpec t, String role) {
        int[] shape = t.shape();
        if (shape.length == 0 || shape[0] != TensorSpec.BATCH || t.numel(2) != 2L * t.numelPerExample()) {
            throw new DataFormatException("model " + role + " '" + t.name() + "' has shape " + t.shapeString()
                    + " without a single leading batch dimension; examples cannot be fed into it");
        }
        if (f.dtype() == DType.F32 && t.dtype() == DType.I32) {
            throw new DataFormatException("data field '" + f.name() + "' is f32 but model " + role + " '" + t.name() + "' is i32 (expects integers)");
        }
        if (f.perExample() != t.numelPerExample()) {
            throw new DataFormatException("data field '" + f.name() + "' has " + f.perExample() + " values per example ("
                    + f.dtype().dslName() + Tensor.shapeString(f.shape()) + "), but model " + role + " '" + t.name() + "' expects "
                    + t.dtype().dslName() + t.shapeString() + " = " + t.numelPerExample());
        }
    }

    private static String role(ModelSpec spec, TensorSpec t) { return spec.labels().contains(t) ? "label" : "input"; }

    private static String names(List<TensorSpec> l) {
        return l.isEmpty() ? "none" : l.stream().map(TensorSpec::name).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return explicit.isEmpty() ? "Binding(auto)"
                : explicit.stream().map(p -> p[0] + "->" + p[1]).collect(Collectors.joining(", ", "Binding(", ")"));
    }
}
