package dev.ingot.compiler.schedule;

import dev.ingot.compiler.fusion.FusionPlanner;
import dev.ingot.compiler.fusion.Kernel;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.memory.MemoryPlanner;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ScanBody;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scheduling stage of the compiler, between the passes and code generation: fusion planning
 * ({@link FusionPlanner}: which nodes form which kernel, in which order), the decisions that depend
 * on it (which loop-constant weights are packed once before their loop), then memory planning
 * ({@link MemoryPlanner}).
 */
public final class Scheduler {
    private Scheduler() {}

    /**
     * @param vector whether the code will use the Vector API (packed matmul weights are a Vector API
     *               kernel; scalar code packs nothing)
     */
    public static Schedule schedule(Graph g, boolean vector) {
        List<Kernel> kernels = new ArrayList<>(withPacking(concatsInPlace(FusionPlanner.plan(g), g), vector));
        List<Kernel.Region> sideBySide = sideBySide(kernels, g);
        Schedule s = new Schedule(g.name(), g, kernels, MemoryPlanner.plan(g, kernels, sideBySide), sideBySide);
        assert verified(s);
        return s;
    }

    private static boolean verified(Schedule s) {
        ScheduleVerifier.verify(s);
        return true;
    }

    /**
     * Groups independent loops to run at the same time, one thread each: the forward and the backward direction of a
     * bidirectional layer, in the forward pass and again in the gradient. Walking on from a loop A, every later kernel
     * is either dependent (it reads, directly or not, what A or a loop of its group stores, or it writes a parameter
     * or state in place) or independent. A later loop that is independent joins A's group. Then the kernels between
     * A and the group's last loop are reordered: the independent ones first (they need nothing of the group), then the
     * group, then the dependent ones (they never read what a later loop of the group stores, since they came before
     * it). Reorders {@code kernels}; returns the groups as ranges of the new order. Why: a recurrent step at batch 32
     * is too small to split well across two threads (a fork-join per step, the state's cache lines crossing cores);
     * two loops side by side need no synchronisation until both end.
     */
    static List<Kernel.Region> sideBySide(List<Kernel> kernels, Graph g) {
        Set<Node> updates = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Graph.Update u : g.updates()) updates.add(u.value());
        List<Kernel.Region> groups = new ArrayList<>();
        for (int i = 0; i < kernels.size(); i++) {
            if (!(kernels.get(i) instanceof Kernel.Loop)) continue;
            Set<Node> dependent = Collections.newSetFromMap(new IdentityHashMap<>());
            dependent.addAll(kernels.get(i).writes());
            List<Kernel> group = new ArrayList<>(List.of(kernels.get(i))), before = new ArrayList<>(), after = new ArrayList<>();
            int last = i;
            List<Kernel> pendingBefore = new ArrayList<>(), pendingAfter = new ArrayList<>();
            for (int j = i + 1; j < kernels.size(); j++) {
                Kernel k = kernels.get(j);
                boolean reads = k.reads().stream().anyMatch(r -> dependent.contains(FusionPlanner.base(r)));
                boolean writesInPlace = k instanceof Kernel.Commit || k.writes().stream().anyMatch(updates::contains);
                if (k instanceof Kernel.Loop && !reads && !writesInPlace) {
                    group.add(k);
                    before.addAll(pendingBefore);
                    after.addAll(pendingAfter);
                    pendingBefore.clear();
                    pendingAfter.clear();
                    last = j;
                } else if (reads || writesInPlace) {
                    pendingAfter.add(k);
                } else {
                    pendingBefore.add(k);
                    continue;
                }
                dependent.addAll(k.writes());
            }
            if (group.size() < 2) continue;
            List<Kernel> order = new ArrayList<>(before);
            order.addAll(group);
            order.addAll(after);
            for (int j = last; j >= i; j--) kernels.remove(j);
            kernels.addAll(i, order);
            int first = i + before.size();
            groups.add(new Kernel.Region(first, first + group.size() - 1));
            i = first + group.size() - 1;
        }
        return groups;
    }

    /** Records, for every loop (nested ones too), the loop-constant weights its matmuls read. */
    private static List<Kernel> withPacking(List<Kernel> kernels, boolean vector) {
        List<Kernel> out = new ArrayList<>(kernels.size());
        for (Kernel k : kernels) {
            if (!(k instanceof Kernel.Loop loop)) {
                out.add(k);
                continue;
            }
            List<Kernel> body = withPacking(concatsInPlace(loop.bodyKernels(), loop.body()), vector);
            loop = new Kernel.Loop(loop.scan(), loop.projections(), loop.body(), body, List.of());
            if (vector) loop = loop.withPacked(packed(loop));
            Set<Node> packed = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Kernel.Packed p : loop.packed()) packed.add(p.weight());
            loop = loop.withRegions(regions(body, packed)).withInPlace(inPlace(loop));
            loop = loop.withCarryHomes(carryHomes(loop));
            out.add(loop.withCopiesByRows(copiesByRows(loop)));
        }
        return out;
    }

    /**
     * Concatenations assembled in place: a {@code concat} along a later axis than the first whose every part is
     * stored by an elementwise kernel of the part's own shape, read by nothing else and no result of the graph. Each
     * part's kernel stores it straight into its slice of the concatenation's buffer ({@link Kernel.Fused#into}, a
     * strided view) and the concatenation kernel goes: an LSTM's backward step writes its four gate gradients where
     * the product by the recurrent weight reads them, instead of copying 4 x [batch, H] per step.
     */
    static List<Kernel> concatsInPlace(List<Kernel> kernels, Graph g) {
        Map<Node, Integer> producer = new IdentityHashMap<>(), readers = new IdentityHashMap<>();
        for (int i = 0; i < kernels.size(); i++) {
            Kernel k = kernels.get(i);
            if (k instanceof Kernel.Fused f) for (Node s : f.stores()) producer.put(s, i);
            for (Node r : k.reads()) readers.merge(FusionPlanner.base(r), 1, Integer::sum);
            if (k instanceof Kernel.Fused f) for (Node v : f.views()) readers.merge(FusionPlanner.base(v.in(0)), 1, Integer::sum);
        }
        Set<Node> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Graph.Output o : g.outputs()) kept.add(FusionPlanner.base(o.node()));
        for (Graph.Update u : g.updates()) kept.add(u.value());
        List<Kernel> out = new ArrayList<>(kernels);
        Set<Integer> dropped = new java.util.HashSet<>();
        for (int i = 0; i < kernels.size(); i++) {
            if (!(kernels.get(i) instanceof Kernel.Call c) || c.node().op() != Ops.CONCAT || c.epilogue() != null) continue;
            Node cat = c.node();
            int axis = cat.attrs().i("axis");
            if (axis < 0) axis += cat.shape().rank();
            if (axis == 0 || cat.dtype() != dev.ingot.compiler.ir.DType.F32) continue;
            boolean ok = new java.util.HashSet<>(cat.inputs().stream().map(System::identityHashCode).toList()).size() == cat.inputs().size();
            for (Node x : cat.inputs()) {
                Integer p = producer.get(x);
                ok &= p != null && FusionPlanner.base(x) == x && !kept.contains(x) && readers.getOrDefault(x, 0) == 1 && x.dtype() == cat.dtype()
                        && out.get(p) instanceof Kernel.Fused f && f.shape().equals(x.shape()) && x.shape().rank() == cat.shape().rank();
            }
            if (!ok) continue;
            for (Node x : cat.inputs()) {
                int p = producer.get(x);
                Kernel.Fused f = (Kernel.Fused) out.get(p);
                Map<Node, Node> into = new IdentityHashMap<>(f.into());
                into.put(x, cat);
                out.set(p, f.withInto(into));
            }
            dropped.add(i);
        }
        if (dropped.isEmpty()) return kernels;
        List<Kernel> r = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) if (!dropped.contains(i)) r.add(out.get(i));
        return r;
    }

    /**
     * Row-parallel regions of a loop body: maximal runs of at least two consecutive kernels that each compute
     * {@code [batch, ...]} row by row, with every batch-dependent value they read or store laid out
     * {@code [batch, ...]} as well (so row i of one kernel reads only row i of what the earlier ones stored): fused
     * kernels, and the product of a {@code [batch, k]} value by a weight packed before the loop ({@code packed}), whose
     * rows need only the same rows of its left operand (with its bias epilogue on those rows), and a concatenation
     * or a slice along a later axis. A recurrent step's
     * product and gates (and, backward, the gates' gradients, their concatenation and its product): one fork-join per
     * step, and each thread reads back only the rows it wrote.
     */
    static List<Kernel.Region> regions(List<Kernel> body, Set<Node> packed) {
        List<Kernel.Region> r = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= body.size(); i++) {
            boolean rows = i < body.size() && (byRows(body.get(i)) || productByRows(body.get(i), packed) || concatByRows(body.get(i))
                    || sliceByRows(body.get(i)));
            if (rows && start < 0) start = i;
            if (!rows && start >= 0) {
                if (i - 1 > start) r.add(new Kernel.Region(start, i - 1));
                start = -1;
            }
        }
        return r;
    }

    /** A slice of a {@code [batch, ...]} value along later axes (the batch taken whole): each row copies from the same row. */
    private static boolean sliceByRows(Kernel k) {
        if (!(k instanceof Kernel.Call c) || c.node().op() != Ops.SLICE) return false;
        Node in = c.node().in(0), out = c.node();
        return in.shape().rank() >= 2 && in.shape().dim(0) == dev.ingot.compiler.ir.Shape.BATCH && out.shape().dim(0) == dev.ingot.compiler.ir.Shape.BATCH;
    }

    /** A concatenation along a later axis of {@code [batch, ...]} values: each row of it copies the same rows. */
    private static boolean concatByRows(Kernel k) {
        if (!(k instanceof Kernel.Call c) || c.node().op() != Ops.CONCAT || c.node().attrs().i("axis") == 0) return false;
        List<Node> all = new ArrayList<>(c.node().inputs());
        all.add(c.node());
        for (Node n : all)
            if (n.shape().rank() < 2 || n.shape().dim(0) != dev.ingot.compiler.ir.Shape.BATCH || n.shape().rank() != c.node().shape().rank()) return false;
        return true;
    }

    private static boolean productByRows(Kernel k, Set<Node> packed) {
        if (!(k instanceof Kernel.Call c) || c.node().op() != Ops.MATMUL) return false;   // an epilogue (bias) runs on the same rows
        Node mm = c.node(), a = mm.in(0);
        return !mm.attrs().b("transA") && packed.contains(FusionPlanner.base(mm.in(1)))
                && a.shape().rank() == 2 && a.shape().dim(0) == dev.ingot.compiler.ir.Shape.BATCH
                && mm.shape().rank() == 2 && mm.shape().dim(0) == dev.ingot.compiler.ir.Shape.BATCH;
    }

    private static boolean byRows(Kernel k) {
        if (!(k instanceof Kernel.Fused f)) return false;
        dev.ingot.compiler.ir.Shape s = f.shape();
        if (s.rank() < 2 || s.dim(0) != dev.ingot.compiler.ir.Shape.BATCH) return false;
        List<Node> all = new ArrayList<>(f.reads());
        all.addAll(f.views());
        all.addAll(f.stores());
        for (Node n : all)
            if (n.shape().hasBatch() && (n.shape().rank() != s.rank() || n.shape().dim(0) != dev.ingot.compiler.ir.Shape.BATCH)) return false;
        return true;
    }

    /**
     * The scan outputs a loop's body writes in place: a stacked output (not a carry) that is read after the loop,
     * whose value (through reshapes) a body kernel stores, and that no earlier output in place already claims. Its
     * kernel stores it straight into this step's slice of the result, {@code ys[t]}, instead of into the body's
     * scratch and a copy after the step. (A carry passed through, a scanned input or a constant is copied.)
     */
    static List<Integer> inPlace(Kernel.Loop loop) {
        int nc = ((ScanBody) loop.scan().attrs().map().get("body")).carries();
        Set<Node> stored = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Kernel k : loop.bodyKernels()) stored.addAll(k.writes());
        Set<Node> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Graph.Output> outs = loop.body().outputs();
        List<Integer> r = new ArrayList<>();
        for (int i = nc; i < outs.size(); i++) {
            Node b = FusionPlanner.base(outs.get(i).node());
            if (loop.projection(i) != null && stored.contains(b) && taken.add(b)) r.add(i);
        }
        return r;
    }

    /**
     * Where each carry of a loop lives between steps ({@link Kernel.CarryHome}), so that no step copies a carry. A
     * carry whose new value is a stacked output written in place is read from the slot the step before wrote
     * ({@code FromStack}: a layer's hidden state returned as a sequence); a stacked output that is the carry before
     * each step (a training loop's residual, which its weight-gradient product reads as one matrix) would then hold
     * nothing but that sequence one step late after the initial value: the two share one buffer of length + 1 slots,
     * one slot apart, and the residual costs no copy ({@code FromStack.late}). Otherwise, when a body kernel (not a nested
     * loop) stores the new value and no other carry or output in place claims it: in the stack of a stacked output
     * that is the carry itself, if one is read after the loop ({@code InStack}: a training loop's residual "carry
     * before each step", an LSTM's cell state), else in two buffers used in turn ({@code Alternating}). A carry
     * passed through unchanged, a scanned input or a constant as the new value, or a value a row kernel keeps another
     * in, is {@code Copied}.
     */
    static List<Kernel.CarryHome> carryHomes(Kernel.Loop loop) {
        ScanBody sb = (ScanBody) loop.scan().attrs().map().get("body");
        int nc = sb.carries();
        Graph g = loop.body();
        List<Graph.Output> outs = g.outputs();
        if (loop.scan().attrs().i("length") < 1) return java.util.Collections.nCopies(nc, new Kernel.CarryHome.Copied());   // no step, no stack slot
        Set<Node> stored = Collections.newSetFromMap(new IdentityHashMap<>()), sharedInto = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Kernel k : loop.bodyKernels()) {
            if (!(k instanceof Kernel.Loop)) stored.addAll(k.writes());
            if (k instanceof Kernel.Rows r) sharedInto.addAll(r.shares().values());
        }
        Set<Node> claimed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int o : loop.inPlace()) claimed.add(FusionPlanner.base(outs.get(o).node()));
        Set<Integer> stacks = new java.util.HashSet<>();
        List<Kernel.CarryHome> r = new ArrayList<>();
        for (int i = 0; i < nc; i++) {
            Node v = FusionPlanner.base(outs.get(i).node()), leaf = Rewriter.leaf(g, "c" + i);
            int from = -1;
            for (int o : loop.inPlace()) if (FusionPlanner.base(outs.get(o).node()) == v) from = o;
            if (from >= 0) {
                // the carry before each step, if stacked (a training loop's residual), shares the stack one slot apart
                int late = -1;
                for (int o = nc; o < outs.size() && leaf != null && single(loop, from); o++)
                    if (outs.get(o).node() == leaf && single(loop, o) && !loop.inPlace().contains(o)) {
                        late = o;
                        break;
                    }
                r.add(new Kernel.CarryHome.FromStack(from, late));
                continue;
            }
            if (!stored.contains(v) || sharedInto.contains(v) || !claimed.add(v)) {
                r.add(new Kernel.CarryHome.Copied());
                continue;
            }
            int stack = -1;
            for (int o = nc; o < outs.size() && leaf != null; o++)
                if (outs.get(o).node() == leaf && loop.projection(o) != null && !loop.inPlace().contains(o) && !stacks.contains(o)) {
                    stack = o;
                    break;
                }
            if (stack >= 0) {
                stacks.add(stack);
                r.add(new Kernel.CarryHome.InStack(stack));
            } else {
                r.add(new Kernel.CarryHome.Alternating());
            }
        }
        return r;
    }

    /** Whether the loop's output {@code o} has exactly one projection. */
    private static boolean single(Kernel.Loop loop, int o) {
        return loop.projections().stream().filter(p -> p.attrs().i("index") == o).count() == 1;
    }

    /**
     * Whether a loop's per-step copies can run by rows at the end of its body's region: the whole body is one
     * row-parallel region (so every kernel reads only its own rows of the carries) and every value copied, a stacked
     * output not written in place or a new carry, is laid out {@code [batch, ...]}.
     */
    static boolean copiesByRows(Kernel.Loop loop) {
        List<Kernel.Region> rg = loop.regions();
        if (rg.size() != 1 || rg.get(0).first() != 0 || rg.get(0).last() != loop.bodyKernels().size() - 1) return false;
        int nc = ((ScanBody) loop.scan().attrs().map().get("body")).carries();
        List<Graph.Output> outs = loop.body().outputs();
        List<Node> copied = new ArrayList<>();
        for (int i = 0; i < nc; i++) if (!loop.carryInPlace(i)) copied.add(outs.get(i).node());
        for (Node p : loop.projections()) if (loop.copiedPerStep(p)) copied.add(outs.get(p.attrs().i("index")).node());
        return !copied.isEmpty() && copied.stream().allMatch(n -> n.shape().rank() >= 1 && n.shape().dim(0) == dev.ingot.compiler.ir.Shape.BATCH);
    }

    /**
     * Weights to pack before a loop: the right operand of a body matmul when it is one of the
     * loop's constants (the same at every step) and has no batch dimension; once per weight.
     */
    static List<Kernel.Packed> packed(Kernel.Loop loop) {
        ScanBody body = (ScanBody) loop.scan().attrs().map().get("body");
        Set<Node> constants = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int m = 0; m < body.consts(); m++) {
            Node leaf = Rewriter.leaf(loop.body(), "k" + m);
            if (leaf != null) constants.add(leaf);
        }
        List<Kernel.Packed> r = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Kernel k : loop.bodyKernels()) {
            if (!(k instanceof Kernel.Call call) || call.node().op() != Ops.MATMUL) continue;
            Node mm = call.node(), w = FusionPlanner.base(mm.in(1));
            if (!constants.contains(w) || w.shape().hasBatch() || !seen.add(w)) continue;
            boolean tb = mm.attrs().b("transB");
            int last = w.shape().dim(-1), rest = (int) (w.shape().numel().constant() / last);
            r.add(new Kernel.Packed(w, tb, tb ? last : rest, tb ? rest : last));
        }
        return r;
    }
}
