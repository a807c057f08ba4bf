package dev.ingot.compiler.codegen;

import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Fields, constructor, accessors and {@code initialize} of a generated class. */
final class Fields {
    private Fields() {}

    static List<String> declarations(ModelDescription d, Collection<Node> states, ClassContext cls, Lin arena) {
        List<String> r = new ArrayList<>();
        for (Node p : d.params()) r.add("private final float[] " + cls.leafField(p) + ";   // " + p.attrs().s("name") + " " + p.shape());
        for (Node s : states)
            r.add("private final float[] " + cls.leafField(s) + (sharedState(s) ? "" : " = new float[" + s.shape().numel().constant() + "]") + ";   // " + s.attrs().s("name"));
        for (Node i : all(d.inputs(), d.labels())) {
            String t = i.dtype() == dev.ingot.compiler.ir.DType.I32 ? "int[]" : "float[]";
            r.add("private final " + t + " " + cls.leafField(i) + ";   // " + i.attrs().s("name") + " " + i.shape());
        }
        int k = 0;
        for (Map.Entry<String, Node> o : d.outputs().entrySet()) r.add("private final float[] out" + k++ + ";   // output " + o.getKey() + " " + o.getValue().shape());
        r.add("/** The arena: every intermediate of every entry point, planned ahead. */\nprivate final float[] a;");
        for (String name : cls.batchOffsets.keySet()) r.add("private final int " + name + ";");
        r.add("/** Batch size of the step being run. */\nprivate int n;");
        r.addAll(cls.taskFields);
        return r;
    }

    static List<String> constructors(ModelDescription d, Collection<Node> states, ClassContext cls, Lin arena) {
        String pub = "/** Allocates every buffer for batches of up to {@code maxBatch} examples and initializes the parameters with seed 0. */\n"
                + "public " + d.className() + "(int maxBatch) {\nthis(maxBatch, null);\ninitialize(0);\n}\n";
        StringBuilder b = new StringBuilder("/**\n * An instance with its own buffers that uses the parameters and non-optimizer state (running statistics) of {@code shared}\n"
                + " * (same class), or fresh ones when null; its optimizer state is fresh.\n");
        b.append(" * Instances sharing parameters may {@code predict} concurrently, one instance per thread, as long as none trains.\n */\n");
        b.append("private ").append(d.className()).append("(int maxBatch, ").append(d.className()).append(" shared) {\nsuper(maxBatch);\n");
        for (Node p : d.params()) {
            String f = cls.leafField(p);
            b.append(f).append(" = shared != null ? shared.").append(f).append(" : new float[").append(p.shape().numel().constant()).append("];\n");
        }
        for (Node s : states) {
            String f = cls.leafField(s);
            if (sharedState(s)) b.append(f).append(" = shared != null ? shared.").append(f).append(" : new float[").append(s.shape().numel().constant()).append("];\n");
            else if (s.attrs().d("initial") != 0) b.append("if (shared != null) java.util.Arrays.fill(").append(f).append(", ").append(EntryContext.lit(s.attrs().d("initial"))).append(");\n");
        }
        for (Node i : all(d.inputs(), d.labels())) {
            String t = i.dtype() == dev.ingot.compiler.ir.DType.I32 ? "int" : "float";
            b.append(new ClassContext().leafField(i)).append(" = new ").append(t).append('[').append(i.shape().numel().java("maxBatch")).append("];\n");
        }
        int k = 0;
        for (Node o : d.outputs().values()) b.append("out").append(k++).append(" = new float[").append(o.shape().numel().java("maxBatch")).append("];\n");
        b.append("a = Aligned.floats(Math.toIntExact((long) ").append(arena.java("maxBatch")).append("));\n");
        for (var e : cls.batchOffsets.entrySet()) b.append(e.getKey()).append(" = Aligned.PAD + ").append(e.getValue().java("maxBatch")).append(";\n");
        b.append("}\n");
        return List.of(pub, b.toString());
    }

    /**
     * Whether instances from {@code sharingParameters} share this state tensor with the original:
     * all but the optimizer's ({@code opt.*}, fresh in each instance), so that batch norm's running
     * statistics, which {@code predict} reads, are the original's.
     */
    static boolean sharedState(Node state) { return !state.attrs().s("name").startsWith("opt."); }

    static List<String> accessors(ModelDescription d, Collection<Node> states) {
        ClassContext names = new ClassContext();
        List<String> r = new ArrayList<>();
        r.add("@Override\npublic " + d.className() + " sharingParameters(int maxBatch) {\nreturn new " + d.className() + "(maxBatch, this);\n}");
        r.add("@Override\npublic ModelSpec spec() { return SPEC; }");
        r.add("private void checkBatch(int n) {\nif (n < 1 || n > maxBatch()) throw new IllegalArgumentException(\"batch size \" + n + \" is outside [1, \" + maxBatch() + \"]\");\n}");
        r.add(lookup("float[]", "inputF32", "f32 input", filter(all(d.inputs(), d.labels()), false), names));
        r.add(lookup("int[]", "inputI32", "i32 input", filter(all(d.inputs(), d.labels()), true), names));
        r.add(lookup("float[]", "param", "parameter", d.params(), names));
        r.add(lookup("float[]", "state", "state tensor", new ArrayList<>(states), names));
        StringBuilder out = new StringBuilder("@Override\npublic float[] output(int i) {\nswitch (i) {\n");
        for (int k = 0; k < d.outputs().size(); k++) out.append("case ").append(k).append(": return out").append(k).append(";\n");
        out.append("default: throw new IndexOutOfBoundsException(\"model has ").append(d.outputs().size()).append(" outputs, not \" + (i + 1));\n}\n}");
        r.add(out.toString());
        return r;
    }

    private static String lookup(String type, String method, String what, List<Node> leaves, ClassContext names) {
        StringBuilder b = new StringBuilder("@Override\npublic " + type + " " + method + "(String name) {\nswitch (name) {\n");
        List<String> known = new ArrayList<>();
        for (Node l : leaves) {
            String n = l.attrs().s("name");
            known.add(n);
            b.append("case ").append(SpecEmitter.str(n)).append(": return ").append(names.leafField(l)).append(";\n");
        }
        b.append("default: throw new IllegalArgumentException(\"no ").append(what).append(" '\" + name + \"'").append(known.isEmpty() ? "" : "; known: " + String.join(", ", known).replace("\"", "")).append("\");\n}\n}");
        return b.toString();
    }

    static String initialize(ModelDescription d, Collection<Node> states) {
        ClassContext names = new ClassContext();
        StringBuilder b = new StringBuilder("@Override\npublic void initialize(long seed) {\nfinal SplittableRandom r = new SplittableRandom(seed);\n");
        for (Node p : d.params()) b.append(init(names.leafField(p), p)).append('\n');
        for (Node s : states) {
            if (s.attrs().b("seeded")) b.append(names.leafField(s)).append("[0] = (float) ((seed * 0x9E3779B97F4A7C15L) >>> 40);   // 24 bits, exact in a float\n");
            else b.append("java.util.Arrays.fill(").append(names.leafField(s)).append(", ").append(EntryContext.lit(s.attrs().d("initial"))).append(");\n");
        }
        return b.append("}\n").toString();
    }

    /** The Init call for a parameter's initializer (fans from its shape, see Inits). */
    private static String init(String field, Node p) {
        var a = p.attrs();
        String kind = a.s("init.kind");
        Shape s = p.shape();
        long fanIn, fanOut;
        if (s.rank() == 2) {
            fanIn = s.dim(0);
            fanOut = s.dim(1);
        } else if (s.rank() >= 3) {
            long rf = 1;
            for (int i = 2; i < s.rank(); i++) rf *= s.dim(i);
            fanIn = s.dim(1) * rf;
            fanOut = s.dim(0) * rf;
        } else {
            fanIn = fanOut = s.rank() == 1 ? s.dim(0) : 1;
        }
        return switch (kind) {
            case "zeros" -> "Init.zeros(" + field + ");";
            case "ones" -> "Init.ones(" + field + ");";
            case "constant" -> "Init.constant(" + field + ", " + EntryContext.lit(a.d("init.value")) + ");";
            case "normal" -> "Init.normal(" + field + ", " + a.d("init.mean") + ", " + a.d("init.std") + ", r);";
            case "uniform" -> "Init.uniform(" + field + ", " + a.d("init.lo") + ", " + a.d("init.hi") + ", r);";
            case "glorot_uniform" -> "Init.glorotUniform(" + field + ", " + fanIn + ", " + fanOut + ", r);";
            case "glorot_normal" -> "Init.glorotNormal(" + field + ", " + fanIn + ", " + fanOut + ", r);";
            case "he_normal" -> "Init.heNormal(" + field + ", " + fanIn + ", r);";
            case "he_uniform" -> "Init.heUniform(" + field + ", " + fanIn + ", r);";
            case "lecun_normal" -> "Init.lecunNormal(" + field + ", " + fanIn + ", r);";
            default -> throw new IllegalStateException("unknown initializer " + kind);
        };
    }

    static List<Node> all(List<Node> a, List<Node> b) {
        List<Node> r = new ArrayList<>(a);
        r.addAll(b);
        return r;
    }

    private static List<Node> filter(List<Node> leaves, boolean ints) {
        List<Node> r = new ArrayList<>();
        for (Node l : leaves) if ((l.dtype() == dev.ingot.compiler.ir.DType.I32) == ints) r.add(l);
        return r;
    }
}
