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
    public record Options(String packageName, boolean vector, boolean training, Path dumpDir, boolean profile) {
        public static Options defaults() { return new Options("ingot.generated", true, true, null, false); }
        public Options withPackage(String p) { return new Options(p, vector, training, dumpDir, profile); }
        public Options withDumpDir(Path d) { return new Options(packageName, vector, training, d, profile); }
        public Options withVector(boolean v) { return new Options(packageName, v, training, dumpDir, profile); }
        public Options withTraining(boolean t) { return new Options(packageName, vector, t, dumpDir, profile); }
        /** Time every kernel call (for {@code ingot bench --profile}); slows small kernels a little. */
        public Options withProfile(boolean p) { return new Options(packageName, vector, training, dumpDir, p); }
    }

    /** Everything one compilation produced. */
    public record Result(ModelIr model, ModelDescription description, List<JavaEmitter.Entry> entries, JavaEmitter.Source source) {
        /** Loads the generated class (compiled in memory, cached) and instantiates it. */
        public CompiledModel instantiate(int maxBatch) {
            checkHeap(maxBatch);
            Class<? extends CompiledModel> c = InMemoryJavac.compile(source.qualifiedName(), source.code());
            try {
                return c.getConstructor(int.class).newInstance(maxBatch);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof OutOfMemoryError || e.getCause() instanceof ArithmeticException)
                    throw new IllegalArgumentException("model " + model.name() + " does not fit in memory for batches of " + maxBatch + " (the JVM's heap is "
                            + mb(Runtime.getRuntime().maxMemory()) + "): lower the batch size or raise the heap (-Xmx, e.g. INGOT_JAVA_OPTS=-Xmx16g)");
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

        /**
         * Fails with a clear message, before allocating anything, when the parameters and state alone
         * (a lower bound of what an instance holds) exceed the JVM's heap.
         */
        private void checkHeap(int maxBatch) {
            long floats = 0;
            Node largest = null;
            for (Node p : description.params()) {
                floats += p.shape().numel().constant();
                if (largest == null || p.shape().numel().constant() > largest.shape().numel().constant()) largest = p;
            }
            Set<String> seen = new java.util.HashSet<>();
            for (JavaEmitter.Entry e : entries)
                for (Node st : e.graph().leaves(dev.ingot.compiler.ops.Ops.STATE)) if (seen.add(st.attrs().s("name"))) floats += st.shape().numel().constant();
            long bytes = 4 * floats, heap = Runtime.getRuntime().maxMemory();
            if (bytes > heap) {
                throw new IllegalArgumentException("model " + model.name() + " needs at least " + mb(bytes) + " for its parameters and optimizer state"
                        + (largest == null ? "" : " (the largest, " + largest.attrs().s("name") + " " + largest.shape() + ", alone " + mb(4 * largest.shape().numel().constant()) + ")")
                        + ", more than the JVM's heap of " + mb(heap) + ": make the model smaller or raise the heap (-Xmx, e.g. INGOT_JAVA_OPTS=-Xmx16g)");
            }
        }

        private static String mb(long bytes) { return String.format("%,d MB", bytes >> 20); }

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
            entries(m, opt);   // the pass pipelines and the scheduling stage (fusion, memory plan) of every entry point
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
                Graph train = new Graph(method, List.of(new Graph.Output(Differentiate.LOSS, st.loss())), m.trainUpdates());
                entries.add(entry(method, PassManager.run(Pipelines.training(Optimizer.all().get(st.optimizer()), st.hyper(), st.schedule(),
                        st.clipNorm(), params, st.name()), train, cx), opt));
            }
            if (m.train() != null && m.steps().isEmpty()) {
                Optimizer o = Optimizer.all().get(m.optimizer());
                Graph train = new Graph("trainStep", List.of(new Graph.Output(Differentiate.LOSS, m.loss())), m.trainUpdates());
                entries.add(entry("trainStep", PassManager.run(Pipelines.training(o, m.optimizerHyper(), m.schedule(), m.clipNorm()), train, cx), opt));
            }
        }
        return entries;
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
