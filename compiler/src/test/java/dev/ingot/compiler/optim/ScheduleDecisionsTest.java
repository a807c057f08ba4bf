package dev.ingot.compiler.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.codegen.JavaEmitter;
import dev.ingot.compiler.frontend.Frontend;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.compiler.fusion.Kernel;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.memory.MemoryPlanner;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.schedule.Schedule;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decisions of the schedule, each pinned on a small model, with the training step still equal to
 * the interpreter's:
 * <ul>
 *   <li>dropout's backward kernel draws its mask again from the seeded generator instead of reading
 *       a stored mask (no float masks): the schedule stores no boolean tensor (the mask drawn twice
 *       is the same mask; the step counter is advanced only after both draws);</li>
 *   <li>a dense layer's bias and ReLU are the epilogue of its matmul: no separate kernel reads the
 *       product back;</li>
 *   <li>an LSTM step cuts its gates from {@code z = xw + h @ W + b} without copies: the slices move in front of
 *       the additions (SliceThroughElementwise) and the gate kernels read {@code xw}, {@code h @ W} and {@code b}
 *       in place (views), so no loop body has a slice kernel or computes {@code z} whole.</li>
 * </ul>
 */
class ScheduleDecisionsTest {
    static final String MODEL = """
        model D {
          input  x: f32[batch, 12]
          label  y: i32[batch]
          layer  fc1 = dense(12, 16, activation = relu)
          layer  fc2 = dense(16, 4)
          output logits = x |> fc1 |> dropout(0.5) |> fc2
          loss = softmax_cross_entropy(logits, y)
          train { optimizer: adam(lr = 0.01), batch: 8 }
        }
        """;

    @Test
    void dropoutMaskIsRecomputedNotStored() {
        var m = Frontend.compile(SourceFile.of("d.ingot", Path.of("."), MODEL, true));
        Schedule s = Compiler.entries(m, Compiler.Options.defaults()).stream()
                .filter(e -> e.method().equals("trainStep")).findFirst().orElseThrow().schedule();
        for (MemoryPlanner.Buffer b : s.memory().buffers())
            assertTrue(b.scratch() || b.value().type().dtype() != DType.BOOL, "a mask is stored: " + b.value());
        long draws = s.kernels().stream().filter(k -> k instanceof Kernel.Fused f
                && f.recomputed().stream().anyMatch(n -> n.op() == Ops.RANDOM_UNIFORM)).count();
        assertEquals(1, draws, "the backward kernel should draw the dropout mask again");
    }

    @ParameterizedTest(name = "vector={0}")
    @ValueSource(booleans = {true, false})
    void trainStepStillMatchesTheInterpreter(boolean vector) { StepCheck.run(MODEL, 8, 3, 4, vector); }

    static final String MLP = """
        model M {
          input  x: f32[batch, 12]
          label  y: i32[batch]
          layer  fc1 = dense(12, 40, activation = relu)
          layer  fc2 = dense(40, 24, activation = relu)
          layer  fc3 = dense(24, 4)
          output logits = x |> fc1 |> fc2 |> fc3
          loss = softmax_cross_entropy(logits, y)
          train { optimizer: sgd(lr = 0.1, momentum = 0.9), batch: 8 }
        }
        """;

    @Test
    void denseBiasAndReluAreTheMatmulsEpilogue() {
        var m = Frontend.compile(SourceFile.of("m.ingot", Path.of("."), MLP, true));
        for (JavaEmitter.Entry e : Compiler.entries(m, Compiler.Options.defaults())) {
            long withRelu = e.schedule().kernels().stream()
                    .filter(k -> k instanceof Kernel.Call c && c.epilogue() != null && c.epilogue().relu() && c.epilogue().bias() != null).count();
            assertEquals(2, withRelu, e.method() + ": fc1 and fc2 should each be one matmul kernel with bias and relu");
            for (Kernel k : e.schedule().kernels())
                if (k instanceof Kernel.Fused f)
                    assertTrue(f.members().stream().noneMatch(n -> n.op() == Ops.ADD && n.inputs().stream().anyMatch(i -> i.op() == Ops.MATMUL)
                                    && n.inputs().stream().anyMatch(i -> i.op() == Ops.PARAM)),
                            e.method() + ": a fused kernel still adds a bias to a product: " + f);
        }
    }

    @ParameterizedTest(name = "vector={0}")
    @ValueSource(booleans = {true, false})
    void epilogueTrainStepMatchesTheInterpreter(boolean vector) { StepCheck.run(MLP, 8, 3, 4, vector); }

    static final String GELU = """
        model G {
          input  x: f32[batch, 12]
          label  y: i32[batch]
          layer  fc1 = dense(12, 40)
          layer  fc2 = dense(40, 4)
          output logits = x |> fc1 |> gelu |> fc2
          loss = softmax_cross_entropy(logits, y)
          train { optimizer: adam(lr = 0.01), batch: 8 }
        }
        """;

    /**
     * GELU's backward computes {@code x / sqrt 2} and {@code x / 2} again from the pre-activation {@code x}
     * (Recompute.lift) instead of reading them: the forward kernel stores its output and the erf only (one heavy op
     * per kernel, so the backward, which has its exp, reads the erf), and the backward reads {@code x}.
     */
    @Test
    void geluBackwardRecomputesItsIntermediates() {
        var m = Frontend.compile(SourceFile.of("g.ingot", Path.of("."), GELU, true));
        Schedule s = Compiler.entries(m, Compiler.Options.defaults()).stream()
                .filter(e -> e.method().equals("trainStep")).findFirst().orElseThrow().schedule();
        Kernel.Fused forward = null, backward = null;
        for (Kernel k : s.kernels())
            if (k instanceof Kernel.Fused f) {
                if (f.members().stream().anyMatch(n -> n.op() == Ops.ERF)) forward = f;
                if (f.members().stream().anyMatch(n -> n.op() == Ops.EXP) && f.reads().stream().anyMatch(n -> n.op() == Ops.ERF)) backward = f;
            }
        assertTrue(forward != null && forward != backward, "a forward GELU kernel");
        assertTrue(backward != null, "a backward GELU kernel that reads the erf");
        assertEquals(2, forward.stores().size(), "the forward GELU kernel stores its output and the erf: " + forward.stores());
        assertTrue(forward.stores().stream().anyMatch(n -> n.op() == Ops.ERF), "the erf is stored: " + forward.stores());
        assertTrue(backward.recomputed().size() >= 2, "the backward computes x / sqrt 2 and x / 2 again: " + backward);
        Kernel.Fused bw = backward;
        assertEquals(3, bw.reads().stream().filter(n -> n.shape().equals(bw.shape())).count(),
                "the backward reads x, the erf and the incoming gradient: " + bw.reads());
    }

    @ParameterizedTest(name = "vector={0}")
    @ValueSource(booleans = {true, false})
    void geluTrainStepMatchesTheInterpreter(boolean vector) { StepCheck.run(GELU, 8, 3, 4, vector); }

    static final String SOFTMAX = """
        model S {
          input  x: f32[batch, 12]
          label  y: i32[batch]
          layer  fc1 = dense(12, 40)
          layer  fc2 = dense(40, 4)
          output logits = x |> fc1 |> softmax |> fc2
          loss = softmax_cross_entropy(logits, y)
          train { optimizer: adam(lr = 0.01), batch: 8 }
        }
        """;

    /**
     * Softmax's backward reads its output and row sums, not its exponentials (SoftmaxFromOutput), and the forward row
     * kernel keeps the exponentials in its output's buffer until it divides them (Rows.shares): it writes one tensor.
     */
    @Test
    void softmaxForwardWritesOneTensor() {
        var m = Frontend.compile(SourceFile.of("s.ingot", Path.of("."), SOFTMAX, true));
        Schedule s = Compiler.entries(m, Compiler.Options.defaults()).stream()
                .filter(e -> e.method().equals("trainStep")).findFirst().orElseThrow().schedule();
        Kernel.Rows forward = null;
        for (Kernel k : s.kernels())
            if (k instanceof Kernel.Rows r && r.row().dim(-1) == 40 && r.members().stream().anyMatch(n -> n.op() == Ops.EXP)) forward = r;
        assertTrue(forward != null, "the softmax's row kernel");
        Kernel.Rows fw = forward;
        Node exp = fw.members().stream().filter(n -> n.op() == Ops.EXP).findFirst().orElseThrow();
        for (Kernel k : s.kernels()) assertTrue(k == fw || !k.reads().contains(exp), "another kernel reads the exponentials: " + k.members());
        long own = fw.stores().stream().filter(n -> n.shape().equals(fw.row()) && !fw.shares().containsKey(n)).count();
        assertEquals(1, own, "row tensors with a buffer of their own: " + fw.stores() + " shares " + fw.shares());
        assertTrue(fw.shares().containsKey(exp), "the exponentials are kept in the output's buffer");
        for (MemoryPlanner.Buffer b : s.memory().buffers()) assertTrue(b.value() != exp, "the exponentials have a buffer");
    }

    @ParameterizedTest(name = "vector={0}")
    @ValueSource(booleans = {true, false})
    void softmaxTrainStepMatchesTheInterpreter(boolean vector) { StepCheck.run(SOFTMAX, 8, 3, 4, vector); }

    static final String LSTM = """
        model L {
          input  ids: i32[batch, 6]
          label  y: i32[batch]
          layer  emb = embedding(9, 5)
          layer  rec = lstm(5, 20)
          layer  out = dense(20, 9)
          output logits = ids |> emb |> rec |> out
          loss = softmax_cross_entropy(logits, y)
          train { optimizer: adam(lr = 0.01), batch: 4 }
        }
        """;

    @Test
    void lstmGatesAreReadInPlace() {
        var m = Frontend.compile(SourceFile.of("l.ingot", Path.of("."), LSTM, true));
        for (JavaEmitter.Entry e : Compiler.entries(m, Compiler.Options.defaults())) {
            for (Kernel k : e.schedule().kernels()) {
                if (!(k instanceof Kernel.Loop loop) || loop.body().topo().stream().noneMatch(n -> n.op() == Ops.SIGMOID)) continue;
                long views = 0;
                for (Kernel b : loop.bodyKernels()) {
                    assertTrue(!(b instanceof Kernel.Call c) || c.node().op() != Ops.SLICE, e.method() + ": a slice is copied in the loop body: " + b);
                    if (b instanceof Kernel.Fused f) {
                        views += f.views().size();
                        assertTrue(f.members().stream().noneMatch(n -> n.shape().dim(-1) == 80), e.method() + ": a kernel computes all four gates: " + f);
                    }
                }
                // each gate reads xw, h @ W and b in place
                assertEquals(12, views, e.method() + ": views in the forward step");
                // the product h @ W, the four gates and the cell update: one row-parallel region
                assertEquals(List.of(new Kernel.Region(0, 5)), loop.regions(), e.method() + ": regions of the forward step");
            }
        }
    }

    /**
     * A GRU step (PyTorch's layout: the product by the recurrent weight carries the bias b_hh, and r * (h W_hn + b_hn)
     * needs that product's last third on its own) is one row-parallel region forward and backward: the biased product
     * by rows (its epilogue on the same rows), the gates, the slice, the update; and the step's copies, if any, by rows.
     */
    @Test
    void gruStepIsOneRegion() {
        var m = Frontend.compile(SourceFile.of("g.ingot", Path.of("."), LSTM.replace("lstm(5, 20)", "gru(5, 20)"), true));
        JavaEmitter.Entry train = Compiler.entries(m, Compiler.Options.defaults()).stream()
                .filter(e -> e.method().equals("trainStep")).findFirst().orElseThrow();
        int loops = 0;
        for (Kernel k : train.schedule().kernels()) {
            if (!(k instanceof Kernel.Loop loop)) continue;
            loops++;
            int last = loop.bodyKernels().size() - 1;
            assertEquals(List.of(new Kernel.Region(0, last)), loop.regions(), "one region over the whole step: " + loop.bodyKernels());
            boolean copies = loop.projections().stream().anyMatch(loop::copiedPerStep)
                    || java.util.stream.IntStream.range(0, loop.carryHomes().size()).anyMatch(c -> !loop.carryInPlace(c));
            assertTrue(!copies || loop.copiesByRows(), "the step's copies, if any, by rows in the region");
            if (!loop.scan().attrs().b("reverse"))
                assertTrue(loop.bodyKernels().stream().anyMatch(b -> b instanceof Kernel.Call c && c.epilogue() != null), "the biased product is in the region");
        }
        assertEquals(2, loops);
    }

    /**
     * The forward step stacks the five values its gradient needs: each body kernel stores them straight into ys[t].
     * Its carries are never copied: each lives in the stack of its value "before each step" (the step stores the new h
     * and c into the next slot), so the step copies nothing. (With {@code return_sequences = true} h is read from the
     * slot of the sequence the step before wrote instead, and "h before the step" is copied.)
     * The backward step writes its input gradient in place, keeps its two carries in two buffers each, and its gate
     * gradients' kernels store them straight into the concatenation its product reads (no concat kernel): it copies
     * nothing.
     */
    @Test
    void lstmStepsCopyAlmostNothing() {
        var m = Frontend.compile(SourceFile.of("l.ingot", Path.of("."), LSTM, true));
        JavaEmitter.Entry train = Compiler.entries(m, Compiler.Options.defaults()).stream()
                .filter(e -> e.method().equals("trainStep")).findFirst().orElseThrow();
        List<Kernel.Loop> loops = train.schedule().kernels().stream().filter(k -> k instanceof Kernel.Loop).map(k -> (Kernel.Loop) k).toList();
        assertEquals(2, loops.size(), "trainStep: the forward and the backward loop");
        for (Kernel.Loop loop : loops) {
            boolean forward = !loop.scan().attrs().b("reverse");
            String which = forward ? "forward" : "backward";
            List<String> copied = new java.util.ArrayList<>();
            for (Node p : loop.projections())
                if (loop.copiedPerStep(p)) {
                    copied.add(loop.body().outputs().get(p.attrs().i("index")).name());
                    assertTrue(loop.body().outputs().get(p.attrs().i("index")).node().op() == Ops.INPUT, which + ": copied output " + copied);
                }
            assertEquals(forward ? 5 : 1, loop.inPlace().size(), which + " step: outputs in place " + loop.inPlace());
            assertEquals(0, copied.size(), which + ": copied outputs " + copied);
            for (int c = 0; c < loop.carryHomes().size(); c++) assertTrue(loop.carryInPlace(c), which + ": carry " + c + " copied: " + loop.carryHomes());
            if (forward) {
                assertTrue(loop.carryHomes().stream().allMatch(h -> h instanceof Kernel.CarryHome.InStack), "forward h and c: " + loop.carryHomes());
            } else {
                assertEquals(List.of(new Kernel.CarryHome.Alternating(), new Kernel.CarryHome.Alternating()), loop.carryHomes(), "backward carries");
                assertTrue(loop.bodyKernels().stream().noneMatch(b -> b instanceof Kernel.Call c && c.node().op() == Ops.CONCAT), "backward: a concat kernel " + loop.bodyKernels());
                assertEquals(4, loop.bodyKernels().stream().mapToInt(b -> b instanceof Kernel.Fused f ? f.into().size() : 0).sum(), "backward: gate gradients stored into the concatenation");
            }
        }
    }

    static final String SEQUENCES = """
        model S {
          input  ids: i32[batch, 6]
          label  y: i32[batch, 6]
          layer  emb = embedding(9, 5)
          layer  rec = bidirectional(lstm(5, 20, return_sequences = true), merge = "concat")
          layer  out = dense(40, 9)
          output logits = ids |> emb |> rec |> out
          loss = softmax_cross_entropy(logits, y)
          train { optimizer: adam(lr = 0.01), batch: 4 }
        }
        """;

    /**
     * Layers that return their sequence, in both directions: the forward loops read h from the slot of the sequence
     * the step before wrote (t - 1, or t + 1 when reversed), the residual "h before each step" shares the sequence's
     * buffer one slot apart (no copy per step), and training matches the interpreter for the LSTM and the
     * GRU, with a partial last batch (StepCheck), vector and scalar code.
     */
    @ParameterizedTest(name = "vector={0}")
    @ValueSource(booleans = {true, false})
    void sequencesInBothDirectionsReadTheirCarriesInPlace(boolean vector) {
        var m = Frontend.compile(SourceFile.of("s.ingot", Path.of("."), SEQUENCES, true));
        JavaEmitter.Entry train = Compiler.entries(m, Compiler.Options.defaults()).stream()
                .filter(e -> e.method().equals("trainStep")).findFirst().orElseThrow();
        int fromStack = 0, shared = 0;
        for (Kernel k : train.schedule().kernels())
            if (k instanceof Kernel.Loop loop) {
                for (int c = 0; c < loop.carryHomes().size(); c++) assertTrue(loop.carryInPlace(c), "a carry copied: " + loop.carryHomes());
                fromStack += (int) loop.carryHomes().stream().filter(h -> h instanceof Kernel.CarryHome.FromStack).count();
                for (Kernel.CarryHome h : loop.carryHomes())
                    if (h instanceof Kernel.CarryHome.FromStack f && f.late() >= 0) {
                        shared++;
                        // h before each step (the residual) and the sequence: one buffer, one slot apart, so nothing is copied per step
                        assertTrue(loop.projections().stream().noneMatch(loop::copiedPerStep), "a stacked output copied per step: " + loop.projections());
                        Node before = loop.projection(f.late()), ys = loop.projection(f.output());
                        var homes = train.schedule().memory().homes();
                        Node inside = loop.scan().attrs().b("reverse") ? before : ys, owner = inside == ys ? before : ys;
                        assertEquals(new dev.ingot.compiler.memory.MemoryPlanner.Within(owner, dev.ingot.compiler.ir.Lin.batch(20)), homes.get(inside),
                                "the later stack lies one slot (20 floats per example) into the other's buffer");
                    }
            }
        assertEquals(2, fromStack, "h of each direction read from its sequence");
        assertEquals(2, shared, "each direction's residual h shares the sequence's buffer");
        StepCheck.run(SEQUENCES, 4, 3, 9, vector);
        StepCheck.run(SEQUENCES.replace("lstm(5, 20, return_sequences = true)", "gru(5, 20, return_sequences = true)"), 4, 3, 9, vector);
    }

    /** The two directions of a bidirectional layer run side by side: in predict, and forward and backward in training. */
    @Test
    void bidirectionalLoopsRunSideBySide() {
        var m = Frontend.compile(SourceFile.of("b.ingot", Path.of("."), ManyThreadsTest.BILSTM, true));
        for (JavaEmitter.Entry e : Compiler.entries(m, Compiler.Options.defaults())) {
            Schedule s = e.schedule();
            long loops = s.kernels().stream().filter(k -> k instanceof Kernel.Loop).count();
            assertEquals(loops / 2, s.sideBySide().size(), e.method() + ": pairs of loops side by side " + s.sideBySide());
            for (Kernel.Region rg : s.sideBySide()) assertEquals(1, rg.last() - rg.first(), e.method() + ": " + rg);
        }
        // a unidirectional LSTM's forward and backward loops depend on each other
        var one = Frontend.compile(SourceFile.of("l.ingot", Path.of("."), LSTM, true));
        for (JavaEmitter.Entry e : Compiler.entries(one, Compiler.Options.defaults())) assertEquals(List.of(), e.schedule().sideBySide(), e.method());
    }

    @ParameterizedTest(name = "vector={0}")
    @ValueSource(booleans = {true, false})
    void lstmTrainStepMatchesTheInterpreter(boolean vector) { StepCheck.run(LSTM, 4, 3, 9, vector); }

    /**
     * Kernels with fewer than {@link Kernel#SCALAR_BELOW} elements, a number fixed at compile time, are scalar code
     * (the schedule's decision, printed by {@code --dump-ir} and obeyed by the emitter): Adam's update of a 16-element
     * bias runs once per step, so C2 would compile its vector loop only after hundreds of steps, and C1 boxes every
     * vector until then (22 KB per call for 128 elements). The update of fc2's 64-element weight is scalar too,
     * fc1's 4096-element one is not.
     */
    @Test
    void smallFixedSizeKernelsAreScalar() {
        String big = MODEL.replace("dense(12, 16, activation = relu)", "dense(256, 16, activation = relu)").replace("f32[batch, 12]", "f32[batch, 256]");
        var m = Frontend.compile(SourceFile.of("d.ingot", Path.of("."), big, true));
        Schedule s = Compiler.entries(m, Compiler.Options.defaults()).stream()
                .filter(e -> e.method().equals("trainStep")).findFirst().orElseThrow().schedule();
        int small = 0, large = 0;
        for (Kernel k : s.kernels()) {
            if (!(k instanceof Kernel.Fused f) || !f.shape().numel().isConstant() || f.shape().rank() == 0) continue;
            long n = f.shape().numel().constant();
            assertEquals(n < Kernel.SCALAR_BELOW, f.scalar(), "kernel over " + f.shape());
            if (f.scalar()) small++;
            else large++;
        }
        assertTrue(small >= 2 && large >= 1, "expected small (biases) and large (the 256 x 16 weight) update kernels: " + small + " / " + large);
        String printed = dev.ingot.compiler.schedule.SchedulePrinter.print(s);
        assertTrue(printed.contains("fused [16] scalar:"), printed);
        String code = Compiler.compile(SourceFile.of("d.ingot", Path.of("."), big, true), Compiler.Options.defaults()).source().code();
        var method = java.util.regex.Pattern.compile("\\{@code %\\d+ = \\w+ [^\\n]*-> f32\\[16\\][^\\n]*\\n\\s*\\*/\\n\\s*private void (\\w+)").matcher(code);
        assertTrue(method.find(), "no kernel over f32[16] found");
        int at = code.indexOf("private void " + method.group(1) + "(");
        String body = code.substring(at, code.indexOf("\n    }\n", at));
        assertFalse(body.contains("FloatVector"), "the 16-element kernel uses the Vector API:\n" + body);
    }
}
