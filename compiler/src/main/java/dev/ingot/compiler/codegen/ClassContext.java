package dev.ingot.compiler.codegen;

import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Ops;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Class-level declarations collected while emitting: leaf fields, arena offset constants, constant
 * tables, and the names of kernel methods (unique across entry points).
 */
final class ClassContext {
    /** {@code name -> declaration} of static constants. */
    final Map<String, String> statics = new LinkedHashMap<>();
    /** Batch-region offsets: {@code name -> Lin(perBatch, static)} set in the constructor. */
    final Map<String, Lin> batchOffsets = new LinkedHashMap<>();
    private final Map<Node, String> constArrays = new IdentityHashMap<>();
    private final Set<String> used = new HashSet<>();
    final List<String> taskFields = new ArrayList<>();
    int kernelCount;
    /** The target: Vector API or plain scalar Java. */
    boolean vector = true;
    /** Small per-class numbers for nodes in generated names (node ids are global, so names would differ between runs). */
    private final Map<Node, Integer> numbers = new IdentityHashMap<>();

    int number(Node n) { return numbers.computeIfAbsent(n, k -> numbers.size()); }
    /** Kernel calls timed in profiling mode, by slot. */
    final List<String> profiled = new ArrayList<>();

    /** Field holding a leaf's array: {@code in_x}, {@code p_fc1_w}, {@code s_opt_fc1_w_m}. */
    String leafField(Node leaf) {
        String name = leaf.attrs().s("name");
        if (leaf.op() == Ops.STATE) return stateField(name);
        return (leaf.op() == Ops.INPUT ? "in_" : "p_") + ident(name);
    }

    /** Field holding state tensor {@code name}: {@code s_opt_fc1_w_m}. */
    static String stateField(String name) { return "s_" + ident(name); }

    static String ident(String s) { return s.replaceAll("[^A-Za-z0-9_]", "_"); }

    /**
     * The constant (or per-instance field, when it depends on the batch) naming a value's place in the arena: the
     * planned offset after {@code Aligned.PAD}. NOTE: the planner places every value at a multiple of 16 floats and
     * the arena comes from {@code Aligned.floats}, so each value starts on a 64-byte line (one 512-bit vector) where
     * the JVM lets that be known; a vector load at an odd 16-byte offset straddles two lines.
     */
    String arenaOffset(String name, Lin offset) {
        String n = unique(name);
        if (offset.isConstant()) statics.put(n, "private static final int " + n + " = Aligned.PAD + " + offset.constant() + ";");
        else batchOffsets.put(n, offset);
        return n;
    }

    String constArray(Node c) {
        return constArrays.computeIfAbsent(c, k -> {
            double[] v = k.attrs().doubles("values");
            if (v.length > 64) {
                // NOTE: a long array initializer would push the class initializer past the JVM's 64 KB method limit
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
                String enc = dev.ingot.runtime.kernels.Tables.encode(f);
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < enc.length(); i += 60000) parts.add("\"" + enc.substring(i, Math.min(enc.length(), i + 60000)) + "\"");
                return constant("float[]", "TABLE", "Tables.floats(" + String.join(", ", parts) + ")");
            }
            StringBuilder sb = new StringBuilder("{");
            for (int i = 0; i < v.length; i++) sb.append(i > 0 ? ", " : "").append(EntryContext.lit(v[i]));
            return constant("float[]", "TABLE", sb.append('}').toString());
        });
    }

    String constant(String javaType, String prefix, String init) {
        String n = unique(prefix);
        statics.put(n, "private static final " + javaType + " " + n + " = " + init + ";");
        return n;
    }

    String unique(String base) {
        String n = base;
        for (int i = 2; !used.add(n); i++) n = base + "_" + i;
        return n;
    }
}
