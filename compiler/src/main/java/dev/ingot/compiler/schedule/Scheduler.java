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
        List<Kernel> kernels = withPacking(FusionPlanner.plan(g), vector);
        Schedule s = new Schedule(g.name(), g, kernels, MemoryPlanner.plan(g, kernels));
        assert verified(s);
        return s;
    }

    private static boolean verified(Schedule s) {
        ScheduleVerifier.verify(s);
        return true;
    }

    /** Records, for every loop (nested ones too), the loop-constant weights its matmuls read. */
    private static List<Kernel> withPacking(List<Kernel> kernels, boolean vector) {
        List<Kernel> out = new ArrayList<>(kernels.size());
        for (Kernel k : kernels) {
            if (!(k instanceof Kernel.Loop loop)) {
                out.add(k);
                continue;
            }
            List<Kernel> body = withPacking(loop.bodyKernels(), vector);
            loop = new Kernel.Loop(loop.scan(), loop.projections(), loop.body(), body, List.of()).withRegions(regions(body));
            out.add(vector ? loop.withPacked(packed(loop)) : loop);
        }
        return out;
    }

    /**
     * Row-parallel regions of a loop body: maximal runs of at least two consecutive fused kernels that each iterate
     * over {@code [batch, ...]} with every batch-dependent value they read or store laid out {@code [batch, ...]} as
     * well (so row i of one kernel reads only row i of what the earlier ones stored).
     */
    static List<Kernel.Region> regions(List<Kernel> body) {
        List<Kernel.Region> r = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= body.size(); i++) {
            boolean rows = i < body.size() && byRows(body.get(i));
            if (rows && start < 0) start = i;
            if (!rows && start >= 0) {
                if (i - 1 > start) r.add(new Kernel.Region(start, i - 1));
                start = -1;
            }
        }
        return r;
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
