package dev.ingot.compiler;

import dev.ingot.compiler.autodiff.Differentiate;
import dev.ingot.compiler.codegen.JavaEmitter;
import dev.ingot.compiler.codegen.ModelDescription;
import dev.ingot.compiler.frontend.Frontend;
import dev.ingot.compiler.frontend.ModelIr;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.jit.InMemoryJavac;
import dev.ingot.compiler.memory.MemoryBudget;
import dev.ingot.compiler.optim.Optimizer;
import dev.ingot.compiler.pass.PassContext;
import dev.ingot.compiler.pass.PassManager;
import dev.ingot.compiler.pass.Pipelines;
import dev.ingot.compiler.schedule.Schedule;
import dev.ingot.compiler.schedule.SchedulePrinter;
import dev.ingot.compiler.schedule.Scheduler;
import dev.ingot.runtime.model.CompiledModel;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The compiler driver: DSL source to entry-point graphs (through the pass pipelines) to Java
 * source, and, in-process, to a loaded {@link CompiledModel} class.
 */
public final class Compiler {
    private Compiler() {}

    /**
     * @param packageName package of the generated class
     * @param vector      use the Vector API (else plain scalar Java)
     * @param training    also emit {@code evaluate} and {@code trainStep} (when the model has a loss)
     * @param dumpDir     write the IR after each pass there, or null
     */
    /**
     * @param splitStep also emit the split training step, {@code computeGradients} and {@code applyUpdate} (per
     *                  training step of a model with several), for data-parallel training
     */
    public record Options(String packageName, boolean vector, boolean training, Path dumpDir, boolean profile, boolean splitStep) {
        public Options(String packageName, boolean vector, boolean training, Path dumpDir, boolean profile) {
            this(packageName, vector, training, dumpDir, profile, false);
        }
        public static Options defaults() { return new Options("ingot.generated", true, true, null, false, false); }
        public Options withPackage(String p) { return new Options(p, vector, training, dumpDir, profile, splitStep); }
        public Options withDumpDir(Path d) { return new Options(packageName, vector, training, d, profile, splitStep); }
        public Options withVector(boolean v) { return new Options(packageName, v, training, dumpDir, profile, splitStep); }
        public Options withTraining(boolean t) { return new Options(packageName, vector, t, dumpDir, profile, splitStep); }
        /** Time every kernel call (for {@code ingot bench --profile}); slows small kernels a little. */
        public Options withProfile(boolean p) { return new Options(packageName, vector, training, dumpDir, p, splitStep); }
        /** Also emit {@code computeGradients} and {@code applyUpdate} (data-parallel training); {@code trainStep} is unchanged. */
        public Options withSplitStep(boolean s) { return new Options(packageName, vector, training, dumpDir, profile, s); }
    }

    /** Everything one compilation produced. */
    public record Result(ModelIr model, ModelDescription description, List<JavaEmitter.Entry> entries, JavaEmitter.Source source) {
        /**
         * Loads the generated class (compiled in memory, cached) and instantiates it. A model that does not
         * fit Java's arrays or the heap at this batch size is a {@link dev.ingot.compiler.diag.CompileError}
         * at the layer that makes it too large, before anything is allocated.
         */
        public CompiledModel instantiate(int maxBatch) {
            checkMemory(model, entries, maxBatch);
            Class<? extends CompiledModel> c = InMemoryJavac.compile(source.qualifiedName(), source.code());
            try {
                return c.getConstructor(int.class).newInstance(maxBatch);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof OutOfMemoryError)
                    throw new IllegalArgumentException("model " + model.name() + " does not fit in memory for batches of " + maxBatch + " (the JVM's heap is "
                            + String.format("%,d MB", Runtime.getRuntime().maxMemory() >> 20) + "): lower the batch size or raise the heap (-Xmx, e.g. INGOT_JAVA_OPTS=-Xmx16g)");
                if (e.getCause() instanceof RuntimeException re) throw re;
                throw new IllegalStateException(e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The generated class compiled to class files, not loaded: to ship to a JVM without the compiler (a Spark executor). */
        public dev.ingot.runtime.model.ClassFiles classFiles() {
            return InMemoryJavac.classFiles(source.qualifiedName(), source.code());
        }


        public Graph graph(String entry) {
            for (JavaEmitter.Entry e : entries) if (e.method().equals(entry)) return e.graph();
            return null;
        }
    }

    public static Result compile(SourceFile src, Options opt) {
        try {
            return compile(Frontend.compile(src), opt);
        } catch (StackOverflowError e) {
            throw tooDeep(src);
        }
    }

    /** The error for a model whose nesting overflowed the thread's stack, at its most deeply nested bracket. */
    static dev.ingot.compiler.diag.CompileError tooDeep(SourceFile src) {
        int depth = 0, max = 0, line = 1, col = 0, maxLine = 1, maxCol = 0;
        String t = src.text();
        for (int i = 0; i < t.length(); i++, col++) {
            char c = t.charAt(i);
            if (c == '\n') {
                line++;
                col = -1;
            } else if (c == '(' || c == '[') {
                if (++depth > max) {
                    max = depth;
                    maxLine = line;
                    maxCol = col;
                }
            } else if ((c == ')' || c == ']') && depth > 0) depth--;
        }
        return new dev.ingot.compiler.diag.CompileError(new dev.ingot.compiler.ir.SourceLoc(src.name(), maxLine, maxCol, 1, src.line(maxLine)),
                "the model nests too deeply (" + max + " levels of brackets) for this thread's stack",
                "a flatter expression (intermediate names), or a larger stack: java -Xss64m (bin/ingot runs with -Xss16m)");
    }

    /**
     * What {@code ingot check} runs: the front end, every pass pipeline, fusion and the memory plan,
     * without printing Java source (the slow part for large models; its failures would be ours,
     * not the user's). Throws a {@link dev.ingot.compiler.diag.CompileError} for a mistake in the model.
     */
    public static void check(SourceFile src, Options opt) {
        try {
            ModelIr m = Frontend.compile(src);
            // the pass pipelines and the scheduling stage (fusion, memory plan) of every entry point, and its memory at the train block's batch
            checkMemory(m, entries(m, opt), m.train() == null ? 1 : m.train().batch());
        } catch (StackOverflowError e) {
            throw tooDeep(src);
        }
    }

    public static Result compile(ModelIr m, Options opt) {
        List<JavaEmitter.Entry> entries = entries(m, opt);
        String hash = InMemoryJavac.sha256(m.source().text());
        ModelDescription d = new ModelDescription(className(m.name()), m.name(), fileName(m.source().name()), hash,
                m.inputs(), m.labels(), m.params(), m.outputs(), m.train());
        JavaEmitter.Source source = JavaEmitter.emit(d, entries, new JavaEmitter.Options(opt.packageName(), opt.vector(), opt.profile()));
        return new Result(m, d, entries, source);
    }

    /** The batch a model's training steps are expected to run at: its train block's. */
    private static int trainBatch(ModelIr m) { return m.train() == null ? 1 : m.train().batch(); }

    /** Fails with a positioned error when an instance for batches of {@code batch} would not fit Java's arrays or the JVM's heap. */
    static void checkMemory(ModelIr m, List<JavaEmitter.Entry> entries, int batch) {
        List<Node> leaves = new ArrayList<>(m.inputs());
        leaves.addAll(m.labels());
        leaves.addAll(m.outputs().values());
        MemoryBudget.check(m.name(), m.params(), leaves, entries.stream().map(JavaEmitter.Entry::schedule).toList(), batch, Runtime.getRuntime().maxMemory());
    }

    /** The entry points of a model through the pass pipelines and the scheduling stage (everything before code generation). */
    public static List<JavaEmitter.Entry> entries(ModelIr m, Options opt) {
        PassContext cx = new PassContext(opt.dumpDir());
        List<Graph.Output> outs = new ArrayList<>();
        m.outputs().forEach((name, node) -> outs.add(new Graph.Output(name, node)));
        Set<String> outNames = new LinkedHashSet<>(m.outputs().keySet());
        List<JavaEmitter.Entry> entries = new ArrayList<>();
        entries.add(entry("predict", PassManager.run(Pipelines.inference(outNames), new Graph("predict", outs, List.of()), cx), opt));
        if (opt.training() && m.loss() != null) {
            List<Graph.Output> withLoss = new ArrayList<>(outs);
            withLoss.add(new Graph.Output(Differentiate.LOSS, m.loss()));
            m.reports().forEach((name, node) -> withLoss.add(new Graph.Output(JavaEmitter.REPORT + name, node)));
            Set<String> evalNames = new LinkedHashSet<>(outNames);
            evalNames.add(Differentiate.LOSS);
            m.reports().keySet().forEach(name -> evalNames.add(JavaEmitter.REPORT + name));
            entries.add(entry("evaluate", PassManager.run(Pipelines.inference(evalNames), new Graph("evaluate", withLoss, List.of()), cx), opt));
            Graph grads = inputGradients(m);
            if (grads != null) entries.add(entry("inputGradients", PassManager.run(Pipelines.inference(outputNames(grads)), grads, cx), opt));
            for (ModelIr.Step st : m.train() == null ? List.<ModelIr.Step>of() : m.steps()) {
                String method = JavaEmitter.STEP + st.name();
                Set<String> params = new LinkedHashSet<>();
                st.params().forEach(p -> params.add(p.attrs().s("name")));
                Optimizer o = Optimizer.all().get(st.optimizer());
                Graph train = new Graph(method, List.of(new Graph.Output(Differentiate.LOSS, st.loss())), m.trainUpdates());
                entries.add(entry(method, PassManager.run(Pipelines.training(o, st.hyper(), st.schedule(), st.clipNorm(), params, st.name(), trainBatch(m)), train, cx), opt));
                if (opt.splitStep()) entries.addAll(splitStep(m, st.loss(), params, o, st.hyper(), st.schedule(), st.clipNorm(), st.name(), cx, opt));
            }
            if (m.train() != null && m.steps().isEmpty()) {
                Optimizer o = Optimizer.all().get(m.optimizer());
                Graph train = new Graph("trainStep", List.of(new Graph.Output(Differentiate.LOSS, m.loss())), m.trainUpdates());
                entries.add(entry("trainStep", PassManager.run(Pipelines.training(o, m.optimizerHyper(), m.schedule(), m.clipNorm(), null, null, trainBatch(m)), train, cx), opt));
                if (opt.splitStep()) entries.addAll(splitStep(m, m.loss(), null, o, m.optimizerHyper(), m.schedule(), m.clipNorm(), null, cx, opt));
            }
        }
        return entries;
    }

    /**
     * The two halves of a training step (of training step {@code step} of a model with several, else null):
     * {@code computeGradients} (forward, loss, backward; the gradients as {@code grad:NAME} outputs, which the
     * generated class copies into its gradient buffers) and {@code applyUpdate} (the optimizer, schedule and
     * clipping of the training step, reading the gradient buffers, {@link Differentiate#GRAD_BUFFER} state leaves).
     */
    private static List<JavaEmitter.Entry> splitStep(ModelIr m, Node loss, Set<String> params, Optimizer o, java.util.Map<String, Double> hyper,
                                                     dev.ingot.compiler.optim.Schedule schedule, double clipNorm, String step, PassContext cx, Options opt) {
        String suffix = step == null ? "" : "_" + step;
        Graph grads = PassManager.run(Pipelines.gradients(params, trainBatch(m)),
                new Graph(JavaEmitter.GRADIENTS + suffix, List.of(new Graph.Output(Differentiate.LOSS, loss)), m.trainUpdates()), cx);
        GraphBuilder b = new GraphBuilder();
        List<Graph.Output> buffers = new ArrayList<>();
        for (Graph.Output g : grads.outputs()) {
            if (!g.name().startsWith(Differentiate.GRAD)) continue;
            String name = g.name().substring(Differentiate.GRAD.length());
            buffers.add(new Graph.Output(g.name(), b.state(Differentiate.GRAD_BUFFER + name, g.node().type(), 0)));
        }
        Graph update = PassManager.run(Pipelines.update(o, hyper, schedule, clipNorm, m.params(), step), new Graph(JavaEmitter.UPDATE + suffix, buffers, List.of()), cx);
        return List.of(entry(JavaEmitter.GRADIENTS + suffix, grads, opt), entry(JavaEmitter.UPDATE + suffix, update, opt));
    }

    /** The scheduling stage of one entry point (written next to the IR dumps as {@code ENTRY.schedule}). */
    private static JavaEmitter.Entry entry(String method, Graph g, Options opt) {
        Schedule s = Scheduler.schedule(g, opt.vector());
        if (opt.dumpDir() != null) {
            try {
                java.nio.file.Files.createDirectories(opt.dumpDir());
                java.nio.file.Files.writeString(opt.dumpDir().resolve(method + ".schedule"), SchedulePrinter.print(s));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return new JavaEmitter.Entry(method, s);
    }

    /**
     * The {@code inputGradients} entry: the loss and its gradient with respect to every f32 input it
     * depends on (outputs {@code dinput:NAME}); null when there is none, or when the loss goes
     * through a loop (whose gradient needs the training step's saved residuals).
     */
    static Graph inputGradients(ModelIr m) {
        List<Node> deps = new Graph("loss", List.of(new Graph.Output(Differentiate.LOSS, m.loss())), List.of()).topo();
        if (deps.stream().anyMatch(n -> n.op() == Ops.SCAN)) return null;
        GraphBuilder b = new GraphBuilder();
        List<Graph.Output> outs = new ArrayList<>(List.of(new Graph.Output(Differentiate.LOSS, m.loss())));
        for (Node in : m.inputs())
            if (in.dtype() == DType.F32 && deps.contains(in)) outs.add(new Graph.Output(JavaEmitter.INPUT_GRAD + in.attrs().s("name"), b.node(Ops.GRAD, m.loss(), in)));
        return outs.size() == 1 ? null : new Graph("inputGradients", outs, List.of());
    }

    private static Set<String> outputNames(Graph g) {
        Set<String> r = new LinkedHashSet<>();
        for (Graph.Output o : g.outputs()) r.add(o.name());
        return r;
    }

    static String className(String model) {
        String c = model.replaceAll("[^A-Za-z0-9_]", "_");
        return Character.toUpperCase(c.charAt(0)) + c.substring(1);
    }

    private static String fileName(String path) {
        int s = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(s + 1);
    }

}
