package dev.ingot.compiler.memory;

import dev.ingot.compiler.diag.CompileError;
import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.SourceLoc;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.schedule.Schedule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What an instance of a compiled model allocates, checked before anything is allocated: every
 * array (the arena of the largest entry point, each input and output at the batch size) within
 * Java's array limit, and the sum (parameters, state, arena, inputs, outputs: a lower bound of the
 * instance's memory) within the JVM's heap. A model over a limit is a {@link CompileError} at the
 * DSL span that makes it too large: the largest parameter when the parameters alone exceed the
 * heap, else the largest value of the working memory.
 */
public final class MemoryBudget {
    private MemoryBudget() {}

    /** How to raise the heap, for the messages. */
    static final String RAISE_HEAP = "raise the heap (-Xmx, e.g. INGOT_JAVA_OPTS=-Xmx16g)";

    /**
     * The arena one instance holds: as large as the largest entry point's, separately in its
     * batch-proportional and constant parts (the generated class sizes its one arena this way).
     */
    public static Lin arena(Collection<Schedule> schedules) {
        long perBatch = 0, constant = 0;
        for (Schedule s : schedules) {
            perBatch = Math.max(perBatch, s.arenaFloats().perBatch());
            constant = Math.max(constant, s.arenaFloats().constant());
        }
        return new Lin(perBatch, constant);
    }

    /**
     * Checks that an instance for batches of up to {@code batch} fits Java's arrays and {@code heap}
     * bytes.
     *
     * @param model       the model's name, for messages
     * @param params      its parameters
     * @param batchLeaves its inputs, labels and outputs (arrays sized for the batch)
     */
    public static void check(String model, List<Node> params, List<Node> batchLeaves, List<Schedule> schedules, int batch, long heap) {
        long paramFloats = 0;
        Node largest = null;
        for (Node p : params) {
            paramFloats += p.shape().numel().constant();
            if (largest == null || p.shape().numel().constant() > largest.shape().numel().constant()) largest = p;
        }
        long stateFloats = 0;
        Set<String> seen = new HashSet<>();
        for (Schedule s : schedules)
            for (Node st : s.graph().leaves(Ops.STATE)) if (seen.add(st.attrs().s("name"))) stateFloats += st.shape().numel().constant();
        long fixed = 4 * (paramFloats + stateFloats);
        if (fixed > heap && largest != null)   // the parameters alone: whatever the batch size
            throw new CompileError(loc(largest), String.format("model %s needs at least %s for its parameters and optimizer state, more than the JVM's heap of %s;"
                    + " the largest parameter, %s %s, alone takes %s", model, mb(fixed), mb(heap), largest.attrs().s("name"), largest.shape(),
                    mb(4 * largest.shape().numel().constant())), "a smaller model, or " + RAISE_HEAP);
        Lin arena = arena(schedules);
        long arenaFloats = arena.eval(batch);
        if (arenaFloats > Shape.MAX_ELEMENTS) {
            Node big = largestBuffer(schedules, batch);
            throw new CompileError(loc(big), String.format("model %s needs an arena (working memory) of %,d floats at batch %d, more than a Java array holds (%,d)%s",
                    model, arenaFloats, batch, Shape.MAX_ELEMENTS, big == null ? "" : "; the largest value, " + describe(big, batch) + ", is computed here"),
                    "a smaller batch (--batch) or smaller layers");
        }
        for (Node n : batchLeaves) {
            long floats = n.shape().numel().eval(batch);
            if (floats > Shape.MAX_ELEMENTS)
                throw new CompileError(loc(n), String.format("%s at batch %d has %,d elements, more than a Java array holds (%,d)",
                        describe(n, batch), batch, floats, Shape.MAX_ELEMENTS), "a smaller batch (--batch)");
        }
        long leafFloats = 0;
        for (Node n : batchLeaves) leafFloats += n.shape().numel().eval(batch);
        long working = 4 * (arenaFloats + leafFloats), total = fixed + working;
        if (total <= heap) return;
        String needs = String.format("model %s needs at least %s (parameters and optimizer state %s, working memory at batch %d %s), more than the JVM's heap of %s",
                model, mb(total), mb(fixed), batch, mb(working), mb(heap));
        if (fixed >= working && largest != null)
            throw new CompileError(loc(largest), needs + "; the largest parameter, " + largest.attrs().s("name") + " " + largest.shape() + ", alone takes "
                    + mb(4 * largest.shape().numel().constant()), "a smaller model, or " + RAISE_HEAP);
        Node big = largestBuffer(schedules, batch);
        throw new CompileError(loc(big), needs + (big == null ? "" : "; the largest value of the working memory, " + describe(big, batch) + ", is computed here"),
                "a smaller batch (--batch) or model, or " + RAISE_HEAP);
    }

    /** The value of the largest arena buffer at {@code batch}, among those with a DSL position when any has one. */
    static Node largestBuffer(List<Schedule> schedules, int batch) {
        List<MemoryPlanner.Buffer> all = new ArrayList<>();
        for (Schedule s : schedules) all.addAll(s.memory().buffers());
        Node best = null;
        long bestSize = -1;
        for (boolean needLoc : new boolean[] {true, false}) {
            for (MemoryPlanner.Buffer b : all) {
                long size = b.size().eval(batch);
                if (size > bestSize && (!needLoc || b.value().prov().loc() != SourceLoc.NONE)) {
                    best = b.value();
                    bestSize = size;
                }
            }
            if (best != null) return best;
        }
        return null;
    }

    private static SourceLoc loc(Node n) { return n == null ? SourceLoc.NONE : n.prov().loc(); }

    /** {@code 'h' [batch, 1000000] (488 MB at batch 128)}, or {@code a matmul [...]} for an unnamed value. */
    private static String describe(Node n, int batch) {
        String name = n.attrs().has("name") ? "'" + n.attrs().s("name") + "'" : n.hint() != null ? "'" + n.hint() + "'" : "a " + n.op().name() + " value";
        return name + " " + n.shape() + " (" + mb(4 * n.shape().numel().eval(batch)) + (n.shape().hasBatch() ? " at batch " + batch : "") + ")";
    }

    static String mb(long bytes) { return String.format("%,d MB", bytes >> 20); }
}
