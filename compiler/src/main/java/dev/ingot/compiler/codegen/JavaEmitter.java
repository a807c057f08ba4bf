package dev.ingot.compiler.codegen;

import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.body.BodyDeclaration;
import com.github.javaparser.printer.DefaultPrettyPrinter;
import com.github.javaparser.printer.configuration.DefaultConfigurationOption;
import com.github.javaparser.printer.configuration.DefaultPrinterConfiguration;
import dev.ingot.compiler.autodiff.Differentiate;
import dev.ingot.compiler.fusion.Kernel;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Provenance;
import dev.ingot.compiler.memory.MemoryPlanner;
import dev.ingot.compiler.schedule.Schedule;
import dev.ingot.compiler.ops.Library;
import dev.ingot.compiler.ops.Movement;
import dev.ingot.compiler.ops.Ops;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lowers a model's entry-point graphs to one Java class that extends the runtime's
 * {@code CompiledModel}: fields for inputs, parameters, state and one arena; one small method per
 * kernel, each with a Javadoc naming the IR nodes it computes and the DSL line they came from; and
 * entry methods ({@code predict}, {@code evaluate}, {@code trainStep}) that are straight lists of
 * kernel calls, split into parts so that no method nears the JIT's 8000-byte limit.
 *
 * <p>Methods are produced from small text templates, each parsed and printed by javaparser, and
 * assembled into the class.
 */
public final class JavaEmitter {
    /** Calls per entry-method part. */
    static final int CALLS_PER_PART = 40;

    private JavaEmitter() {}

    /**
     * An entry point: {@code predict} (model outputs), {@code evaluate} (outputs and loss),
     * {@code trainStep} (loss and updates), {@code inputGradients} (loss and, as outputs named
     * {@link #INPUT_GRAD}{@code NAME}, its gradient with respect to inputs), with the schedule that
     * says how it runs.
     */
    public record Entry(String method, Schedule schedule) {
        public Graph graph() { return schedule.graph(); }
    }

    /** Output-name prefix of the gradient of the loss with respect to an input, in the {@code inputGradients} entry. */
    public static final String INPUT_GRAD = "dinput:";

    /** Output-name prefix of a reported scalar ({@code report: [...]}) in the {@code evaluate} entry. */
    public static final String REPORT = "report:";

    /** Method-name prefix of one of several training steps: {@code trainStep_disc}. */
    public static final String STEP = "trainStep_";

    /** Method name of the first half of a split training step (suffixed {@code _STEP} for one of several steps). */
    public static final String GRADIENTS = "computeGradients";

    /** Method name of the second half of a split training step (suffixed {@code _STEP} for one of several steps). */
    public static final String UPDATE = "applyUpdate";

    /** The entry points every generated class overrides (the others are its own). */
    private static final List<String> BASE_ENTRIES = List.of("predict", "evaluate", "trainStep", "inputGradients", GRADIENTS, UPDATE);

    /** Code generation options: the package, and whether to use the Vector API (else plain scalar Java). */
    public record Options(String packageName, boolean vector, boolean profile) {
        public Options(String packageName, boolean vector) { this(packageName, vector, false); }
        public static Options defaults() { return new Options("ingot.generated", true, false); }
    }

    public record Source(String packageName, String className, String code) {
        public String qualifiedName() { return packageName.isEmpty() ? className : packageName + "." + className; }
    }

    public static Source emit(ModelDescription d, List<Entry> entries, Options opt) {
        ClassContext cls = new ClassContext();
        cls.vector = opt.vector();
        List<String> members = new ArrayList<>();
        Map<String, Node> states = new LinkedHashMap<>();
        Map<String, Node> gradBuffers = new LinkedHashMap<>();   // of the split training step, by parameter
        Lin arena = dev.ingot.compiler.memory.MemoryBudget.arena(entries.stream().map(Entry::schedule).toList());
        StringBuilder planNotes = new StringBuilder();
        List<String> entryMethods = new ArrayList<>();
        for (Entry e : entries) {
            List<Kernel> kernels = e.schedule().kernels();
            MemoryPlanner.BufferPlan plan = e.schedule().memory();
            for (Node s : e.graph().leaves(Ops.STATE)) {
                String name = s.attrs().s("name");
                if (name.startsWith(Differentiate.GRAD_BUFFER)) gradBuffers.putIfAbsent(name.substring(Differentiate.GRAD_BUFFER.length()), s);
                else states.putIfAbsent(name, s);
            }
            planNotes.append(String.format(" * <li>%s: %d kernels, %d arena slots, %s floats</li>%n", e.method(), kernels.size(), plan.slots(), plan.arenaSize().java("maxBatch")));
            EntryContext cx = new EntryContext(prefix(e.method()), plan, cls);
            entryMethods.addAll(entry(d, e, kernels, cx, cls, members, opt));
        }
        StringBuilder src = new StringBuilder();
        src.append("// Generated by ingot from ").append(d.sourceName()).append(" (sha256 ").append(d.sourceHash(), 0, 12)
                .append("). Do not edit: change the model and compile it again.\n");
        if (!opt.packageName().isEmpty()) src.append("package ").append(opt.packageName()).append(";\n\n");
        src.append("import dev.ingot.runtime.exec.Parallel;\nimport dev.ingot.runtime.init.Init;\nimport dev.ingot.runtime.kernels.*;\n");
        src.append("import dev.ingot.runtime.model.*;\nimport java.util.List;\nimport java.util.Map;\nimport java.util.SplittableRandom;\n");
        if (opt.vector()) src.append("import jdk.incubator.vector.*;\n");
        src.append("\n/**\n * Model {@code ").append(d.modelName()).append("} compiled from {@code ").append(d.sourceName()).append("}.\n");
        src.append(" * <p>Parameters: ").append(d.parameterCount()).append(". Memory plan (arena of ").append(arena.java("maxBatch")).append(" floats):\n * <ul>\n");
        src.append(planNotes).append(" * </ul>\n * <p>Not thread-safe: use one instance per thread.\n */\n");
        src.append("public final class ").append(d.className()).append(" extends CompiledModel {\n}\n");

        // NOTE: RAW: no validation pass over each parsed member (javac checks the code); the printed text is the same
        ParserConfiguration pc = new ParserConfiguration().setLanguageLevel(ParserConfiguration.LanguageLevel.RAW);
        StaticJavaParser.setConfiguration(pc);
        CompilationUnit cu = StaticJavaParser.parse(src.toString());
        List<String> decls = new ArrayList<>();
        if (opt.vector()) {
            decls.add("private static final VectorSpecies<Float> F = Simd.F;");
            decls.add("private static final VectorSpecies<Integer> I = Simd.I;");
        }
        decls.add("/** Names, shapes and training setup of this model. */\npublic static final ModelSpec SPEC = " + SpecEmitter.spec(d, states.values()) + ";");
        decls.addAll(cls.statics.values());
        decls.addAll(Fields.declarations(d, states.values(), cls, arena));
        decls.addAll(Fields.constructors(d, states.values(), cls, arena));
        decls.addAll(Fields.accessors(d, states.values()));
        decls.add(Fields.initialize(d, states.values()));
        decls.addAll(entryMethods);
        if (opt.profile()) {
            decls.add("private final long[] prof = new long[" + cls.profiled.size() + "];");
            StringBuilder pm = new StringBuilder("@Override\npublic Map<String, Long> profile() {\nMap<String, Long> m = new java.util.LinkedHashMap<>();\n");
            for (int i = 0; i < cls.profiled.size(); i++) pm.append("m.put(").append(SpecEmitter.str(cls.profiled.get(i))).append(", prof[").append(i).append("]);\n");
            decls.add(pm.append("return m;\n}").toString());
        }
        decls.addAll(stepMembers(entries));
        decls.addAll(reportMembers(entries));
        decls.addAll(gradNormMembers(entries));
        for (String missing : List.of("evaluate", "trainStep")) {
            if (entries.stream().noneMatch(e -> e.method().equals(missing) || (missing.equals("trainStep") && e.method().startsWith(STEP)))) {
                String why = d.train() == null && missing.equals("trainStep") ? "has no train block" : "was compiled without a loss or for inference only";
                decls.add("@Override\npublic float " + missing + "(int n) {\nthrow new UnsupportedOperationException(\"model " + d.modelName() + " " + why + "\");\n}");
            }
        }
        decls.addAll(inputGradientMembers(d, entries));
        decls.addAll(splitStepMembers(d, entries, gradBuffers, cls));
        decls.addAll(members);
        return new Source(opt.packageName(), d.className(), print(cu, decls));
    }

    /**
     * The class with its members, each parsed and printed on its own. NOTE: not
     * {@code c.addMember(...)} and {@code cu.toString()}: javaparser's printer sorts all of a
     * class's members again for every member (to place orphan comments), quadratic in their number,
     * which made a model of 1,000 layers take minutes; printed one by one, the text is the same.
     */
    private static String print(CompilationUnit cu, List<String> decls) {
        String shell = cu.toString();
        int close = shell.lastIndexOf('}');
        StringBuilder sb = new StringBuilder(shell.length() + decls.size() * 256).append(shell, 0, close);
        for (String m : decls) {
            sb.append('\n');
            for (String line : printMember(m, parseMember(m)).split("\n", -1)) sb.append(line.isEmpty() ? "" : "    ").append(line).append('\n');
        }
        return sb.append(shell, close, shell.length()).toString();
    }

    /** Prints without comments: javaparser's comment placement sorts a block's statements again for each statement. */
    private static final DefaultPrettyPrinter NO_COMMENTS = new DefaultPrettyPrinter(
            new DefaultPrinterConfiguration().removeOption(new DefaultConfigurationOption(DefaultPrinterConfiguration.ConfigOption.PRINT_COMMENTS)));

    /**
     * A member as javaparser prints it; one with no comment inside (the long constructor, switches
     * and initializer of a model with thousands of tensors) goes through the comment-free printer,
     * linear in its length, with its Javadoc printed on its own.
     */
    private static String printMember(String text, BodyDeclaration<?> member) {
        int body = text.startsWith("/**") ? text.indexOf("*/") + 2 : 0;
        if (text.indexOf("//", body) >= 0 || text.indexOf("/*", body) >= 0) return member.toString();
        String doc = member.getComment().map(c -> c.toString()).orElse("");
        member.removeComment();
        return doc + NO_COMMENTS.print(member);
    }

    /** Several training steps: {@code trainStep(step, n)} dispatches to them, {@code trainStep(n)} runs them all in order. */
    private static List<String> stepMembers(List<Entry> entries) {
        List<String> steps = entries.stream().map(Entry::method).filter(m -> m.startsWith(STEP)).toList();
        if (steps.isEmpty()) return List.of();
        StringBuilder one = new StringBuilder("/** Training step {@code step} (in {@code SPEC.train().steps()} order); returns its loss. */\n@Override\npublic float trainStep(int step, int n) {\nswitch (step) {\n");
        StringBuilder all = new StringBuilder("/** Every training step on the batch, in declared order; returns the first step's loss. */\n@Override\npublic float trainStep(int n) {\n");
        for (int i = 0; i < steps.size(); i++) {
            one.append("case ").append(i).append(": return ").append(steps.get(i)).append("(n);\n");
            all.append(i == 0 ? "final float first = " : "").append(steps.get(i)).append("(n);\n");
        }
        one.append("default: throw new IndexOutOfBoundsException(\"no training step \" + step + \"; the model has ").append(steps.size()).append("\");\n}\n}");
        all.append("return first;\n}");
        return List.of(one.toString(), all.toString());
    }

    /** The gradient norm of the last training step, read with {@code gradNorm()}, when a training step computes it. */
    private static List<String> gradNormMembers(List<Entry> entries) {
        boolean any = entries.stream().anyMatch(e -> e.graph().outputs().stream().anyMatch(o -> o.name().equals(dev.ingot.compiler.optim.ApplyOptimizer.GRAD_NORM)));
        if (!any) return List.of();
        return List.of("private float gradNorm = -1;",
                "/** The global L2 norm of the gradients of the last training step (before clipping); -1 before the first. */\n@Override\npublic float gradNorm() {\nreturn gradNorm;\n}");
    }

    /** The values of {@code report: [...]} that evaluate computes, read with {@code report(i)}. */
    private static List<String> reportMembers(List<Entry> entries) {
        Entry e = entries.stream().filter(x -> x.method().equals("evaluate")).findFirst().orElse(null);
        long k = e == null ? 0 : e.graph().outputs().stream().filter(o -> o.name().startsWith(REPORT)).count();
        if (k == 0) return List.of();
        return List.of("private final float[] reports = new float[" + k + "];",
                "/** Reported value {@code i} ({@code SPEC.train().reports()}) of the last evaluate. */\n@Override\npublic float report(int i) {\nreturn reports[i];\n}");
    }

    /** The buffers of the {@code inputGradients} entry (one per input it differentiates) and {@code inputGradient(name)}. */
    private static List<String> inputGradientMembers(ModelDescription d, List<Entry> entries) {
        List<String> r = new ArrayList<>();
        Entry e = entries.stream().filter(x -> x.method().equals("inputGradients")).findFirst().orElse(null);
        if (e == null) return r;
        StringBuilder get = new StringBuilder("/** The gradient of the loss with respect to input {@code name} from the last {@link #inputGradients(int)}; the first n examples are valid. */\n"
                + "@Override\npublic float[] inputGradient(String name) {\nswitch (name) {\n");
        List<String> known = new ArrayList<>();
        for (Graph.Output o : e.graph().outputs()) {
            if (!o.name().startsWith(INPUT_GRAD)) continue;
            String name = o.name().substring(INPUT_GRAD.length());
            String field = inputGradientField(d, name);
            r.add("private final float[] " + field + " = new float[Math.toIntExact((long) " + o.node().shape().numel().java("maxBatch()") + ")];   // d(loss)/d(" + name + ")");
            get.append("case ").append(SpecEmitter.str(name)).append(": return ").append(field).append(";\n");
            known.add(name);
        }
        get.append("default: throw new IllegalArgumentException(\"no gradient of the loss with respect to input '\" + name + \"'; known: ")
                .append(String.join(", ", known)).append("\");\n}\n}");
        r.add(get.toString());
        return r;
    }

    /**
     * The gradient buffers of the split training step ({@code computeGradients} copies the gradients there,
     * {@code applyUpdate} reads them), {@code gradient(name)}, {@code gradientNames(step)}, and for a model with
     * several training steps the dispatchers {@code computeGradients(step, n)} and {@code applyUpdate(step)}.
     */
    private static List<String> splitStepMembers(ModelDescription d, List<Entry> entries, Map<String, Node> buffers, ClassContext cls) {
        List<String> r = new ArrayList<>();
        List<String> grads = entries.stream().map(Entry::method).filter(m -> m.startsWith(GRADIENTS)).toList();
        if (grads.isEmpty()) return r;
        StringBuilder get = new StringBuilder("/** The gradient buffer of parameter {@code name}: written by computeGradients, read by applyUpdate. */\n"
                + "@Override\npublic float[] gradient(String name) {\nswitch (name) {\n");
        for (Map.Entry<String, Node> b : buffers.entrySet()) {
            String field = cls.leafField(b.getValue());
            r.add("private final float[] " + field + " = new float[" + b.getValue().shape().numel().constant() + "];   // gradient of " + b.getKey());
            get.append("case ").append(SpecEmitter.str(b.getKey())).append(": return ").append(field).append(";\n");
        }
        get.append("default: throw new IllegalArgumentException(\"no gradient of '\" + name + \"'; known: ").append(String.join(", ", buffers.keySet()).replace("\"", "")).append("\");\n}\n}");
        r.add(get.toString());
        StringBuilder names = new StringBuilder("/** The parameters whose gradients training step {@code step} computes, in a fixed order. */\n@Override\npublic List<String> gradientNames(int step) {\nswitch (step) {\n");
        for (int i = 0; i < grads.size(); i++) {
            String method = grads.get(i);
            Graph g = entries.stream().filter(e -> e.method().equals(method)).findFirst().orElseThrow().graph();
            List<String> ps = new ArrayList<>();
            for (Graph.Output o : g.outputs()) if (o.name().startsWith(Differentiate.GRAD)) ps.add(SpecEmitter.str(o.name().substring(Differentiate.GRAD.length())));
            names.append("case ").append(i).append(": return List.of(").append(String.join(", ", ps)).append(");\n");
        }
        names.append("default: throw new IndexOutOfBoundsException(\"no training step \" + step + \"; the model has ").append(grads.size()).append("\");\n}\n}");
        r.add(names.toString());
        if (grads.size() > 1 || !grads.get(0).equals(GRADIENTS)) {
            StringBuilder cg = new StringBuilder("/** The first half of training step {@code step}: its loss and its parameters' gradients, in their buffers. */\n@Override\npublic float computeGradients(int step, int n) {\nswitch (step) {\n");
            StringBuilder au = new StringBuilder("/** The second half of training step {@code step}: its optimizer update from the gradient buffers. */\n@Override\npublic void applyUpdate(int step) {\nswitch (step) {\n");
            for (int i = 0; i < grads.size(); i++) {
                String suffix = grads.get(i).substring(GRADIENTS.length());
                cg.append("case ").append(i).append(": return ").append(GRADIENTS).append(suffix).append("(n);\n");
                au.append("case ").append(i).append(": ").append(UPDATE).append(suffix).append("();\nreturn;\n");
            }
            String bad = "default: throw new IndexOutOfBoundsException(\"no training step \" + step + \"; the model has " + grads.size() + "\");\n}\n}";
            r.add(cg.append(bad).toString());
            r.add(au.append(bad).toString());
            String several = "model " + d.modelName() + " has " + grads.size() + " training steps: give the step";
            r.add("@Override\npublic float computeGradients(int n) {\nthrow new IllegalStateException(\"" + several + ", computeGradients(step, n)\");\n}");
            r.add("@Override\npublic void applyUpdate() {\nthrow new IllegalStateException(\"" + several + ", applyUpdate(step)\");\n}");
        }
        return r;
    }

    private static String inputGradientField(ModelDescription d, String input) {
        for (int i = 0; i < d.inputs().size(); i++) if (d.inputs().get(i).attrs().s("name").equals(input)) return "gin" + i;
        throw new IllegalStateException("no input " + input);
    }

    private static BodyDeclaration<?> parseMember(String text) {
        try {
            return StaticJavaParser.parseBodyDeclaration(text);
        } catch (RuntimeException e) {
            throw new IllegalStateException("generated member does not parse:\n" + text, e);
        }
    }

    static String prefix(String method) {
        return switch (method) {
            case "predict" -> "P";
            case "evaluate" -> "E";
            case "trainStep" -> "T";
            case "inputGradients" -> "G";
            default -> method.startsWith(STEP) ? "T_" + method.substring(STEP.length())
                    : method.startsWith(GRADIENTS) ? "CG" + method.substring(GRADIENTS.length())
                    : method.startsWith(UPDATE) ? "AU" + method.substring(UPDATE.length()) : method.toUpperCase(Locale.ROOT);
        };
    }

    /** The entry method (and its parts) plus its kernels (appended to {@code kernelsOut}). */
    private static List<String> entry(ModelDescription d, Entry e, List<Kernel> kernels, EntryContext cx, ClassContext cls,
                                      List<String> kernelsOut, Options opt) {
        List<String> calls = kernelCalls(kernels, List.of(), e.schedule().sideBySide(), List.of(), cx, cls, kernelsOut, opt);
        if (opt.profile()) {
            List<String> timed = new ArrayList<>();
            String line = "";
            for (String c : calls) {
                if (c.startsWith("//")) {
                    line = c.substring(3).split("   ")[0];
                    timed.add(c);
                    continue;
                }
                int slot = cls.profiled.size();
                cls.profiled.add(e.method() + " " + kernelName(c) + "  " + line);
                timed.add("{ final long t0 = System.nanoTime(); " + c + "\n" + "prof[" + slot + "] += System.nanoTime() - t0; }");   // the call may end in a // comment
            }
            calls = timed;
        }
        // the entry method: check the batch, run the parts, then copy outputs / return the loss
        List<String> methods = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        for (int i = 0, p = 0; i < calls.size(); i += CALLS_PER_PART, p++) {
            String part = e.method() + "Part" + p;
            parts.add(part + "();");
            StringBuilder m = new StringBuilder("private void " + part + "() {\n");
            for (String s : calls.subList(i, Math.min(calls.size(), i + CALLS_PER_PART))) m.append(s).append('\n');
            methods.add(m.append("}\n").toString());
        }
        StringBuilder main = new StringBuilder();
        Graph g = e.graph();
        boolean update = e.method().startsWith(UPDATE);   // no batch: parameters, state and gradient buffers only
        String ret = e.method().equals("predict") || update ? "void" : "float";
        main.append(BASE_ENTRIES.contains(e.method()) ? "@Override\npublic " : "public ").append(ret).append(' ').append(e.method()).append(update ? "() {\n" : "(int n) {\n");
        if (!update) main.append("checkBatch(n);\nthis.n = n;\n");
        for (String p : parts) main.append(p).append('\n');
        int oi = 0, ri = 0;
        for (Graph.Output o : g.outputs()) {
            if (o.name().equals("loss")) continue;
            Node on = o.node();
            if (o.name().equals(dev.ingot.compiler.optim.ApplyOptimizer.GRAD_NORM)) {
                String lit = cx.literal(on);
                main.append("gradNorm = ").append(lit != null ? lit : cx.array(on) + "[" + cx.offset(on) + "]").append(";   // the global norm of the gradients\n");
                continue;
            }
            if (o.name().startsWith(REPORT)) {
                String lit = cx.literal(on);
                main.append("reports[").append(ri++).append("] = ").append(lit != null ? lit : cx.array(on) + "[" + cx.offset(on) + "]").append(";   // ")
                        .append(o.name().substring(REPORT.length())).append('\n');
                continue;
            }
            String target = o.name().startsWith(INPUT_GRAD) ? inputGradientField(d, o.name().substring(INPUT_GRAD.length()))
                    : o.name().startsWith(Differentiate.GRAD) ? ClassContext.stateField(Differentiate.GRAD_BUFFER + o.name().substring(Differentiate.GRAD.length()))
                    : "out" + oi++;
            main.append("System.arraycopy(").append(cx.array(on)).append(", ").append(cx.offset(on)).append(", ").append(target)
                    .append(", 0, ").append(on.shape().numel().java("n")).append(");   // output ").append(o.name()).append('\n');
        }
        if (!ret.equals("void")) {
            Node loss = g.output("loss");
            String lit = cx.literal(loss);
            main.append("return ").append(lit != null ? lit : cx.array(loss) + "[" + cx.offset(loss) + "]").append(";\n");
        }
        main.append("}\n");
        String doc = switch (e.method()) {
            case "predict" -> "/** Inference on the first {@code n} examples of the inputs; results in {@link #output(int)}. */\n";
            case "evaluate" -> "/** Inference plus the loss against the labels, updating nothing; returns the mean loss. */\n";
            case "inputGradients" -> "/** The loss (inference mode) and its gradient with respect to the inputs, in {@link #inputGradient(String)}; updates nothing. */\n";
            case GRADIENTS -> "/** The first half of a training step: forward, loss and the parameters' gradients, left in {@link #gradient(String)}; updates running statistics, not the parameters. Returns the loss. */\n";
            case UPDATE -> "/** The second half of a training step: the optimizer update (with its schedule and step counter) from the gradients in {@link #gradient(String)}. */\n";
            default -> e.method().startsWith(GRADIENTS) ? "/** The first half of training step " + e.method().substring(GRADIENTS.length() + 1) + ": its loss and its parameters' gradients. */\n"
                    : e.method().startsWith(UPDATE) ? "/** The second half of training step " + e.method().substring(UPDATE.length() + 1) + ": its optimizer update from the gradient buffers. */\n"
                    : e.method().startsWith(STEP)
                    ? "/** Training step " + e.method().substring(STEP.length()) + ": forward, its loss, gradients of its parameters, their update. Returns the loss before the update. */\n"
                    : "/** One training step: forward, loss, gradients, optimizer update. Returns the loss before the update. */\n";
        };
        methods.add(0, doc + main);
        return methods;
    }

    /**
     * Emits the methods of {@code kernels} into {@code kernelsOut} and returns the statements that
     * call them in order, under comments naming the DSL line (used for entry points and loop bodies).
     */

    /**
     * {@link #kernelCalls}, with {@code regions} of the kernels (a loop body's) run as row-parallel regions: each
     * region's kernels loop over batch rows and one method runs them all on a range of rows,
     * {@code k6_region(lo, hi) { k6_add_sigmoid(lo, hi); k7_add_sigmoid(lo, hi); ... }}, called once (split across
     * threads when the region's work is big enough). The loops of each {@code sideBySide} range run at the same time,
     * one thread each, when the pool has at most two threads per loop (beyond that each loop on its own gets more):
     * {@code k9_sideBySide() { if (threads <= 4) forRange(2, 1, t_k9_sideBySide) else { k9_scan(); k10_scan(); } }}.
     * {@code lastRegionTail} (a loop's per-step copies by rows) ends the region that ends the list.
     */
    static List<String> kernelCalls(List<Kernel> kernels, List<Kernel.Region> regions, List<Kernel.Region> sideBySide, List<String> lastRegionTail,
                                    EntryContext cx, ClassContext cls, List<String> kernelsOut, Options opt) {
        List<String> calls = new ArrayList<>();
        List<String> together = new ArrayList<>();
        String togetherName = null;
        StringBuilder region = null;
        long regionWork = 0;
        String regionName = null;
        StringBuilder small = null;
        int regionProducts = 0;
        String lastComment = null;
        ElementwiseEmitter ew = new ElementwiseEmitter(cx, opt.vector());
        ReduceEmitter re = new ReduceEmitter(cx, opt.vector());
        RowEmitter rows = new RowEmitter(cx, opt.vector());
        for (int ki = 0; ki < kernels.size(); ki++) {
            Kernel k = kernels.get(ki);
            int idx = cls.kernelCount++;
            String name = "k" + idx + "_" + opNames(k);
            Kernel.Region in = null;
            for (Kernel.Region rg : regions) if (rg.contains(ki)) in = rg;
            if (in != null) {
                if (ki == in.first()) {
                    regionName = "k" + idx + "_region";
                    region = new StringBuilder("/** Kernels " + name + " to the end of the region, on batch rows [lo, hi). */\nprivate void " + regionName + "(int lo, int hi) {\n");
                    small = new StringBuilder("/** {@link #" + regionName + "} for a batch smaller than the pool: its products by packed weights over all rows, split by columns; the rest on this thread. */\n"
                            + "private void " + regionName + "Small() {\nfinal int lo = 0, hi = n;\n");
                    regionProducts = 0;
                    regionWork = 0;
                }
                if (k instanceof Kernel.Fused f) {
                    KernelCode code = ew.emit(f, name, true);
                    kernelsOut.add("/** " + describe(k, cls) + " */\n" + code.text());
                    Lin total = f.shape().numel();
                    regionWork += total.perBatch() * 64 + total.constant();
                } else {
                    // a product by a packed weight or a concatenation, on the region's rows (Scheduler.regions)
                    Node mm = ((Kernel.Call) k).node();
                    cx.byRows = true;
                    List<String> body = lowerCall((Kernel.Call) k, cx);
                    cx.byRows = false;
                    // a lowering that ignored byRows() would compute every row on every thread (right, so tests pass, but slow)
                    if (body.stream().noneMatch(st -> st.matches("(?s).*\\blo\\b.*")))
                        throw new IllegalStateException("kernel " + name + " of a row-parallel region was lowered without its rows [lo, hi): " + body);
                    StringBuilder m = new StringBuilder("/** " + describe(k, cls) + ", rows [lo, hi) */\nprivate void " + name + "(int lo, int hi) {\n");
                    for (String st : body) m.append(st).append('\n');
                    kernelsOut.add(m.append("}\n").toString());
                    if (mm.op() == Ops.MATMUL) {
                        // the same product over all rows, parallel over column panels (the same bits: MatMulPacked)
                        StringBuilder cols = new StringBuilder("/** " + describe(k, cls) + ", all rows, split by columns */\nprivate void " + name + "Cols() {\nfinal int n = this.n;\n");
                        for (String st : lowerCall((Kernel.Call) k, cx)) cols.append(st).append('\n');
                        kernelsOut.add(cols.append("}\n").toString());
                        small.append(name).append("Cols();\n");
                        regionProducts++;
                    } else small.append(name).append("(lo, hi);\n");
                    Lin total = mm.shape().numel();
                    regionWork += (total.perBatch() * 64 + total.constant()) * (mm.op() == Ops.MATMUL ? mm.in(0).shape().dim(-1) : 1);
                }
                region.append(name).append("(lo, hi);\n");
                if (k instanceof Kernel.Fused) small.append(name).append("(lo, hi);\n");
                if (ki == in.last()) {
                    if (ki == kernels.size() - 1) for (String st : lastRegionTail) {
                        region.append(st).append('\n');
                        small.append(st).append('\n');
                    }
                    kernelsOut.add(region.append("}\n").toString());
                    Node anchor = k.members().get(k.members().size() - 1);
                    boolean parallel = regionWork >= ElementwiseEmitter.PARALLEL_MIN_ELEMENTS;
                    String call = invoke(new KernelCode(regionName, "", "n", parallel, anchor), cls);
                    if (parallel && regionProducts > 0) {
                        // fewer rows than threads (batch-1 inference): threads would idle, so the products split by columns
                        kernelsOut.add(small.append("}\n").toString());
                        call = "if (n < Parallel.get().threads()) " + regionName + "Small(); else " + call;
                    }
                    calls.add(call);
                }
                continue;
            }
            Node anchor = k.members().get(k.members().size() - 1);
            String comment = comment(anchor.prov());
            if (!comment.equals(lastComment) && !comment.isEmpty()) calls.add("// " + comment);
            lastComment = comment;
            String javadoc = "/** " + describe(k, cls) + (anchor.prov().comment().isEmpty() ? "" : "   [" + anchor.prov().comment() + "]") + " */\n";
            if (k instanceof Kernel.Fused f) {
                KernelCode code = ew.emit(f, name);
                kernelsOut.add(javadoc + code.text());
                calls.add(invoke(code, cls));
            } else if (k instanceof Kernel.Rows r) {
                KernelCode code = rows.emit(r, name);
                kernelsOut.add(javadoc + code.text());
                kernelsOut.addAll(code.helpers());
                calls.add(invoke(code, cls));
            } else if (k instanceof Kernel.Reduce r) {
                KernelCode code = re.emit(r.node(), name);
                kernelsOut.add(javadoc + code.text());
                calls.add(invoke(code, cls));
            } else if (k instanceof Kernel.Commit cm) {
                Node v = cm.value();
                calls.add("System.arraycopy(" + cx.array(v) + ", " + cx.offset(v) + ", " + cls.leafField(cm.target()) + ", 0, " + v.shape().numel().constant() + ");   // new " + cm.target().attrs().s("name"));
            } else if (k instanceof Kernel.Loop loop) {
                kernelsOut.add(javadoc + LoopEmitter.emit(loop, name, cx, cls, kernelsOut, opt));
                Kernel.Region group = null;
                for (Kernel.Region rg : sideBySide) if (rg.contains(ki)) group = rg;
                if (group == null) {
                    calls.add(name + "();");
                    continue;
                }
                if (ki == group.first()) togetherName = "k" + idx + "_sideBySide";
                together.add(name + "();");
                if (ki == group.last()) {
                    calls.add(togetherName + "();");
                    kernelsOut.addAll(sideBySide(togetherName, together, cls));
                    together.clear();
                }
            } else if (k instanceof Kernel.Call call && parallelTranspose(call.node())) {
                // split across the threads by the output's first axis: a serial copy of what the other threads of the
                // kernel before just wrote reads it from their caches (at 2 threads, 4x slower than at 1)
                cx.byRows = true;
                List<String> body = lowerCall(call, cx);
                cx.byRows = false;
                StringBuilder m = new StringBuilder(javadoc).append("private void ").append(name).append("(int lo, int hi) {\nfinal int n = this.n;\n");
                for (String s : body) m.append(s).append('\n');
                kernelsOut.add(m.append("}\n").toString());
                calls.add(invoke(new KernelCode(name, "", cx.size(call.node().shape().size(0)), true, anchor), cls));
            } else if (k instanceof Kernel.Call call) {
                List<String> body = lowerCall(call, cx);
                StringBuilder m = new StringBuilder(javadoc).append("private void ").append(name).append("() {\nfinal int n = this.n;\n");
                for (String s : body) m.append(s).append('\n');
                kernelsOut.add(m.append("}\n").toString());
                calls.add(name + "();");
            } else throw new IllegalStateException("no code generation for kernel kind " + k.getClass().getSimpleName() + ": " + k);
        }
        return calls;
    }

    /** A transpose big enough to split across threads, over an output whose first axis has more than one index. */
    private static boolean parallelTranspose(Node n) {
        if (n.op() != Ops.TRANSPOSE) return false;
        Lin total = n.shape().numel(), first = n.shape().size(0);
        return total.perBatch() * 64 + total.constant() >= ElementwiseEmitter.PARALLEL_MIN_ELEMENTS && !(first.perBatch() == 0 && first.constant() <= 1);
    }

    /** The statements of a call kernel: its op's lowering (a library op with its epilogue, or a data movement). */
    private static List<String> lowerCall(Kernel.Call call, EntryContext cx) {
        List<String> body = new ArrayList<>();
        cx.target(body);
        Node n = call.node();
        if (n.op() instanceof Library lib) lib.lower(call.epilogue() == null ? cx : new EpilogueLowering(cx, call), n);
        else if (n.op() instanceof Movement mv) mv.lower(cx, n);
        else throw new IllegalStateException("no lowering for the call kernel of " + n);
        return body;
    }

    /** The method that runs independent loops side by side, one thread each, and its task. */
    private static List<String> sideBySide(String name, List<String> loops, ClassContext cls) {
        String task = "t_" + name;
        cls.taskFields.add("private final Parallel.RangeTask " + task + " = this::" + name + ";");
        StringBuilder b = new StringBuilder("/** Independent loops at the same time, one thread each (when the pool has at most two threads per loop). */\n")
                .append("private void ").append(name).append("() {\n")
                .append("if (Parallel.get().threads() <= ").append(2 * loops.size()).append(") {\n")
                .append("Parallel.get().forRange(").append(loops.size()).append(", 1, ").append(task).append(");\n} else {\n");
        for (String l : loops) b.append(l).append('\n');
        b.append("}\n}\n");
        String whole = b.toString();
        b = new StringBuilder("/** Loops [lo, hi) of {@link #").append(name).append("()}; a parallel call inside them runs on the calling thread. */\n")
                .append("private void ").append(name).append("(int lo, int hi) {\n")
                .append("for (int i = lo; i < hi; i++) {\nswitch (i) {\n");
        for (int i = 0; i < loops.size(); i++) b.append("case ").append(i).append(": ").append(loops.get(i)).append(" break;\n");
        b.append("default: throw new IllegalStateException(\"no loop \" + i);\n}\n}\n}\n");
        return List.of(whole, b.toString());
    }

    private static String invoke(KernelCode code, ClassContext cls) {
        if (!code.parallel()) return code.name() + "(0, " + code.range() + ");";
        String task = "t_" + code.name();
        cls.taskFields.add("private final Parallel.RangeTask " + task + " = this::" + code.name() + ";");
        return "Parallel.get().forRange(" + code.range() + ", 1, " + task + ");";
    }

    /** The kernel a call statement runs, for the profile: {@code k12_add_relu}, or {@code commit} for a copy. */
    static String kernelName(String call) {
        if (call.startsWith("System.arraycopy")) return "commit";
        if (call.startsWith("Parallel.get().forRange(")) return call.substring(call.lastIndexOf("t_") + 2, call.lastIndexOf(')'));
        return call.replaceAll("\\(.*", "");
    }

    /** The DSL line a node came from, with its text: {@code mnist_mlp.ingot:11  logits = x |> fc1}. */
    static String comment(Provenance p) {
        String c = p.comment();
        if (c.isEmpty()) return "";
        String text = p.loc().lineText() == null ? "" : p.loc().lineText().strip();
        return text.isEmpty() ? c : c + "   " + text;
    }

    private static String opNames(Kernel k) {
        List<String> names = new ArrayList<>();
        for (Node n : k.members()) {
            String op = n.op().name();
            if (!names.contains(op)) names.add(op);
            if (names.size() == 3) break;
        }
        return String.join("_", names);
    }

    private static String describe(Kernel k, ClassContext cls) {
        StringBuilder sb = new StringBuilder(k instanceof Kernel.Fused ? "Fused: " : k instanceof Kernel.Rows ? "Rows: " : "");
        int shown = 0;
        for (Node n : k.members()) {
            if (shown++ == 8) {
                sb.append(" ...");
                break;
            }
            sb.append(shown > 1 ? "; " : "").append("{@code %").append(cls.number(n)).append(" = ").append(n.op().name());
            for (Node i : n.inputs()) sb.append(" %").append(i.op() instanceof dev.ingot.compiler.ops.Leaf && i.attrs().has("name") ? i.attrs().s("name") : cls.number(i));
            sb.append('}');
        }
        sb.append(" -> ").append(k.stores().isEmpty() ? "" : k.stores().get(0).type());
        return sb.toString();
    }
}
