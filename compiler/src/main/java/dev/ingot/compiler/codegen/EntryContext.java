package dev.ingot.compiler.codegen;

import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.memory.MemoryPlanner;
import dev.ingot.compiler.ops.Lowering;
import dev.ingot.compiler.ops.Ops;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Names and storage of the values of one entry point (predict, evaluate, trainStep) in the
 * generated class, and the {@link Lowering} handed to ops that lower themselves.
 *
 * <p>Arena offsets get constants named after the DSL value when one is known
 * ({@code T_LOGITS}, {@code T_D_LOGITS}), prefixed by the entry point; static-region offsets are
 * {@code static final}, batch-region offsets are final fields set from {@code maxBatch}.
 */
final class EntryContext implements Lowering {
    final String prefix;
    final MemoryPlanner.BufferPlan plan;
    final ClassContext cls;
    private final Map<Node, String> offsetNames = new IdentityHashMap<>();
    private List<String> out;

    /** Maps this plan's arena offsets to the class arena (identity, except in loop bodies). */
    final java.util.function.Function<MemoryPlanner.Arena, Lin> relocate;
    /** Where leaves live when not in their own field: a loop body's inputs, as {array, offset}. */
    final Map<Node, String[]> overrides;

    EntryContext(String prefix, MemoryPlanner.BufferPlan plan, ClassContext cls) {
        this(prefix, plan, cls, MemoryPlanner.Arena::offset, new IdentityHashMap<>());
    }

    EntryContext(String prefix, MemoryPlanner.BufferPlan plan, ClassContext cls, java.util.function.Function<MemoryPlanner.Arena, Lin> relocate, Map<Node, String[]> overrides) {
        this.prefix = prefix;
        this.plan = plan;
        this.cls = cls;
        this.relocate = relocate;
        this.overrides = overrides;
    }

    /** Statements emitted by lowerings go here. */
    void target(List<String> statements) { this.out = statements; }

    @Override public void emit(String statement) { out.add(statement); }

    @Override public String array(Node n) {
        MemoryPlanner.Home h = plan.home(n);
        if (h instanceof MemoryPlanner.Arena) return "a";
        if (h instanceof MemoryPlanner.Leaf l) return overrides.containsKey(l.leaf()) ? overrides.get(l.leaf())[0] : cls.leafField(l.leaf());
        if (h instanceof MemoryPlanner.Slot) return slot(n)[0];
        if (h instanceof MemoryPlanner.Literal lit && lit.node().attrs().has("values")) return cls.constArray(lit.node());
        if (h instanceof MemoryPlanner.Within w) return array(w.base());
        throw new IllegalStateException("no array for literal " + n);
    }

    @Override public String offset(Node n) {
        MemoryPlanner.Home h = plan.home(n);
        if (h instanceof MemoryPlanner.Leaf l && overrides.containsKey(l.leaf())) return overrides.get(l.leaf())[1];
        if (h instanceof MemoryPlanner.Slot) return slot(n)[1];
        // in another value's buffer, shifted by a size counted with this call's batch (two stacks one slot apart)
        if (h instanceof MemoryPlanner.Within w) return "(" + offset(w.base()) + " + " + w.shift().java("this.n") + ")";
        if (!(h instanceof MemoryPlanner.Arena ar)) return "0";
        return offsetNames.computeIfAbsent(dev.ingot.compiler.fusion.FusionPlanner.base(n), b -> {
            String name = prefix + "_" + javaName(b, cls.number(b));
            return cls.arenaOffset(name, relocate.apply(ar));
        });
    }

    /** Array and offset expression of this step's slice of a loop's output, for a body value written in place. */
    private String[] slot(Node n) {
        String[] w = overrides.get(dev.ingot.compiler.fusion.FusionPlanner.base(n));
        if (w == null) throw new IllegalStateException("no slice of the loop's output for " + n);
        return w;
    }

    /** Scalar Java expression of a literal node (constant or batch size), or null. */
    String literal(Node n) {
        if (n.op() == Ops.BATCH_SIZE) return "(float) n";
        if (n.op() == Ops.CONST && !n.attrs().has("values")) return lit(n.attrs().d("value"));
        return null;
    }

    static String lit(double v) {
        float f = (float) v;
        if (Float.isNaN(f)) return "Float.NaN";
        if (Float.isInfinite(f)) return f > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY";
        return f + "f";
    }

    @Override public String size(Lin l) { return l.java("n"); }
    @Override public String batch() { return "n"; }
    @Override public boolean vector() { return cls.vector; }

    /** Loop-constant weights packed before the loop: (leaf, transB) to the field holding them. */
    final Map<Node, String[]> packedWeights = new IdentityHashMap<>();
    /** Set while a kernel of a row-parallel region is lowered ({@link #byRows()}). */
    boolean byRows;

    @Override public boolean byRows() { return byRows; }

    @Override public String packed(Node b, boolean transB) {
        String[] p = packedWeights.get(dev.ingot.compiler.fusion.FusionPlanner.base(b));
        return p != null && p[1].equals(Boolean.toString(transB)) ? p[0] : null;
    }
    @Override public String constant(String javaType, String p, String init) { return cls.constant(javaType, p, init); }

    /** DSL-derived constant name: {@code LOGITS}, {@code D_LOGITS}, else {@code V<id>}. */
    static String javaName(Node n, int number) {
        String h = n.hint();
        return h == null ? "V" + number : h.replaceAll("[^A-Za-z0-9]+", "_").toUpperCase(Locale.ROOT) + "_" + number;
    }

    /** All arena offsets this entry used (for the memory-plan comment). */
    List<String> offsetNames() { return new ArrayList<>(offsetNames.values()); }

}
