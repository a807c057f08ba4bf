package dev.ingot.compiler.schedule;

import dev.ingot.compiler.fusion.FusionPlanner;
import dev.ingot.compiler.fusion.Kernel;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.memory.MemoryPlanner;
import dev.ingot.compiler.ops.Leaf;
import dev.ingot.compiler.ops.Ops;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the invariants a {@link Schedule} must keep, loop bodies included: every value a kernel
 * reads is a leaf or was stored by an earlier kernel; every reader of a parameter's or state's old
 * value runs before the kernel that writes its new value in place; arena buffers that are live at
 * the same time do not overlap; loops side by side are independent. Run by {@link Scheduler} when assertions are on, and by the tests.
 */
public final class ScheduleVerifier {
    private ScheduleVerifier() {}

    /** Throws {@link IllegalStateException} naming the first broken invariant. */
    public static void verify(Schedule s) {
        verify(s.graph(), s.kernels(), s.memory());
        // loops side by side: none reads what another of its group stores, and each group's buffers stay live to its end
        for (Kernel.Region rg : s.sideBySide()) {
            Set<Node> stored = Collections.newSetFromMap(new IdentityHashMap<>());
            for (int i = rg.first(); i <= rg.last(); i++) {
                Kernel k = s.kernels().get(i);
                if (!(k instanceof Kernel.Loop)) throw new IllegalStateException(s.entry() + ": kernel #" + i + " side by side is not a loop");
                for (Node r : k.reads())
                    if (stored.contains(FusionPlanner.base(r))) throw new IllegalStateException(s.entry() + ": loop #" + i + " reads what a loop beside it stores");
                stored.addAll(k.writes());
            }
            for (MemoryPlanner.Buffer b : s.memory().buffers())
                if (rg.contains(b.last()) && b.last() < rg.last())
                    throw new IllegalStateException(s.entry() + ": the buffer of " + b.value() + " dies inside loops side by side #" + rg.first() + "..#" + rg.last());
        }
    }

    private static void verify(Graph g, List<Kernel> kernels, MemoryPlanner.BufferPlan mem) {
        Map<Node, Integer> storedAt = new IdentityHashMap<>();
        for (int i = 0; i < kernels.size(); i++) {
            Kernel k = kernels.get(i);
            for (Node r : k.reads()) {
                Node b = FusionPlanner.base(r);
                if (b.op() instanceof Leaf) continue;
                Integer at = storedAt.get(b);
                if (at == null) throw new IllegalStateException(g.name() + ": kernel #" + i + " reads " + b + " before any kernel stores it");
            }
            for (Node st : k.writes()) storedAt.putIfAbsent(st, i);
            if (k instanceof Kernel.Loop loop) verify(loop.body(), loop.bodyKernels(), mem.loops().get(loop.scan()).body());
        }
        for (Graph.Output o : g.outputs()) {
            Node b = FusionPlanner.base(o.node());
            if (!(b.op() instanceof Leaf) && !storedAt.containsKey(b)) throw new IllegalStateException(g.name() + ": no kernel stores output " + o.name());
        }
        // in-place updates: the writer runs after every reader of the old value
        Set<Node> committed = FusionPlanner.committed(kernels);
        for (Graph.Update u : g.updates()) {
            int writer = -1;
            for (int i = 0; i < kernels.size(); i++) {
                Kernel k = kernels.get(i);
                boolean writes = committed.contains(u.value()) ? k instanceof Kernel.Commit c && c.value() == u.value() : k.writes().contains(u.value());
                if (writes) writer = i;
            }
            if (writer < 0 && u.value().op() != Ops.PARAM && u.value().op() != Ops.STATE)
                throw new IllegalStateException(g.name() + ": no kernel writes the new value of " + u.target());
            for (int i = writer + 1; i < kernels.size(); i++)
                for (Node r : kernels.get(i).reads())
                    if (FusionPlanner.base(r) == u.target())
                        throw new IllegalStateException(g.name() + ": kernel #" + i + " reads the old " + u.target() + " after kernel #" + writer + " wrote its new value");
        }
        // arena buffers live at the same time are disjoint
        List<MemoryPlanner.Buffer> bs = mem.buffers();
        Set<MemoryPlanner.Buffer> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (MemoryPlanner.Buffer a : bs) {
            seen.add(a);
            for (MemoryPlanner.Buffer b : bs) {
                if (seen.contains(b) || a.batchRegion() != b.batchRegion()) continue;
                if (a.last() < b.first() || b.last() < a.first()) continue;
                if (overlap(a.offset(), a.size(), b.offset(), b.size()))
                    throw new IllegalStateException(g.name() + ": arena buffers of " + a.value() + " and " + b.value() + " overlap while both are live");
            }
        }
    }

    /** Whether [o1, o1 + s1) and [o2, o2 + s2) intersect for some batch size (both linear in it, same region). */
    private static boolean overlap(Lin o1, Lin s1, Lin o2, Lin s2) {
        for (long n : new long[] {1, 2, 7, 64}) {
            long a = o1.eval(n), b = o2.eval(n);
            if (a < b + s2.eval(n) && b < a + s1.eval(n) && s1.eval(n) > 0 && s2.eval(n) > 0) return true;
        }
        return false;
    }
}
