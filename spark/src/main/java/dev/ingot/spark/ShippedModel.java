package dev.ingot.spark;

import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.TensorSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's code and the weights that inference reads (parameters and non-optimizer state such as
 * batch norm's running statistics), sent to the executors once in a Spark broadcast. On each
 * executor it becomes one {@link #prototype} instance that holds the weights; every task
 * scores with its own {@code sharingParameters} copy of it (own buffers, the same weights).
 */
final class ShippedModel implements Serializable {
    private static final long serialVersionUID = 1L;

    final ModelCode code;
    private final String[] names;
    private final boolean[] isParam;
    private final float[][] values;

    private ShippedModel(ModelCode code, String[] names, boolean[] isParam, float[][] values) {
        this.code = code;
        this.names = names;
        this.isParam = isParam;
        this.values = values;
    }

    /**
     * Snapshots the weights of {@code model} (copies, so later training on the driver does not
     * change what was shipped). Ships exactly the tensors that {@code sharingParameters} shares,
     * so optimizer moments, which inference never reads, stay home.
     */
    static ShippedModel of(ModelCode code, CompiledModel model) {
        CompiledModel view = model.sharingParameters(1);
        List<String> n = new ArrayList<>();
        List<Boolean> p = new ArrayList<>();
        List<float[]> v = new ArrayList<>();
        for (TensorSpec t : model.spec().params()) {
            n.add(t.name());
            p.add(true);
            v.add(model.param(t.name()).clone());
        }
        for (TensorSpec t : model.spec().state()) {
            if (view.state(t.name()) != model.state(t.name())) continue;   // not shared: per-instance (optimizer) state
            n.add(t.name());
            p.add(false);
            v.add(model.state(t.name()).clone());
        }
        boolean[] ps = new boolean[p.size()];
        for (int i = 0; i < ps.length; i++) ps[i] = p.get(i);
        return new ShippedModel(code, n.toArray(String[]::new), ps, v.toArray(float[][]::new));
    }

    /** Bytes of weights shipped (4 per float). */
    long weightBytes() {
        long b = 0;
        for (float[] a : values) b += 4L * a.length;
        return b;
    }

    /** Prototypes in this JVM by broadcast id; a few recent ones (a job scores with one or two models). */
    private static final Map<Long, CompiledModel> PROTOTYPES = new LinkedHashMap<>(8, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<Long, CompiledModel> e) { return size() > 4; }
    };

    /**
     * The instance of this JVM (one per executor) that holds broadcast {@code id}'s weights, made on
     * first use; callers take {@code sharingParameters(batch)} copies of it, one per task.
     */
    CompiledModel prototype(long id) {
        synchronized (PROTOTYPES) {
            CompiledModel m = PROTOTYPES.get(id);
            if (m == null) {
                m = code.newInstance(1);
                for (int i = 0; i < names.length; i++) {
                    float[] dst = isParam[i] ? m.param(names[i]) : m.state(names[i]);
                    if (dst.length != values[i].length) throw new IllegalStateException("tensor " + names[i] + " of " + code + " has " + dst.length + " values on this executor, " + values[i].length + " shipped (different model classes on driver and executor?)");
                    System.arraycopy(values[i], 0, dst, 0, dst.length);
                }
                PROTOTYPES.put(id, m);
            }
            return m;
        }
    }
}
