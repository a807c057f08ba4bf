package dev.ingot.compiler.schedule;

import dev.ingot.compiler.fusion.Kernel;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.IrPrinter;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.memory.MemoryPlanner;
import java.util.List;
import java.util.Map;

/**
 * The readable text of a {@link Schedule} (written by {@code --dump-ir} as {@code ENTRY.schedule}
 * next to the IR dumps; values are named as in the entry's last IR dump):
 * <pre>
 * schedule trainStep: 14 kernels (14 runs per call), arena 1178 * batch + 1024 floats
 *   #0  matmul   %7 = matmul %x %fc1.w   -> %7
 *   #1  fused f32[B,256]: %8 = add %7 %fc1.b; %9 = max %8 %0   reads %7 %fc1.b   -> %9
 *   ...
 * buffers (floats; lifetime in kernels):
 *   %7   f32[B,256]  batch  at 0 * batch + 1024   size 256 * batch   #0..#1
 * </pre>
 */
public final class SchedulePrinter {
    private SchedulePrinter() {}

    public static String print(Schedule s) {
        StringBuilder sb = new StringBuilder();
        sb.append("schedule ").append(s.entry()).append(": ").append(s.kernelCount()).append(" kernels (")
                .append(s.kernelRuns()).append(" runs per call), arena ").append(s.arenaFloats()).append(" floats\n");
        for (Kernel.Region rg : s.sideBySide()) sb.append("  loops #").append(rg.first()).append("..#").append(rg.last()).append(" side by side, one thread each\n");
        body(sb, s.graph(), s.kernels(), s.memory(), "");
        return sb.toString();
    }

    private static void body(StringBuilder sb, Graph g, List<Kernel> kernels, MemoryPlanner.BufferPlan mem, String indent) {
        Map<Node, String> names = IrPrinter.names(g);
        for (int i = 0; i < kernels.size(); i++) {
            Kernel k = kernels.get(i);
            sb.append(indent).append("  #").append(i).append("  ").append(kind(k)).append(' ');
            if (k instanceof Kernel.Commit c) {
                sb.append(names.get(c.target())).append(" <- ").append(names.get(c.value())).append('\n');
                continue;
            }
            int shown = 0;
            for (Node m : k.members()) {
                if (shown++ > 0) sb.append("; ");
                sb.append(names.get(m)).append(" = ").append(m.op().name());
                for (Node in : m.inputs()) sb.append(' ').append(names.get(in));
            }
            if (k instanceof Kernel.Fused || k instanceof Kernel.Rows) {
                sb.append("   reads");
                for (Node r : k.reads()) sb.append(' ').append(names.get(r));
            }
            if (k instanceof Kernel.Fused f && !f.views().isEmpty()) {
                sb.append("   views");
                for (Node v : f.views()) sb.append(' ').append(names.get(v)).append(" = slice ").append(names.get(v.in(0)))
                        .append(' ').append(java.util.Arrays.toString(v.attrs().ints("begin"))).append("..").append(java.util.Arrays.toString(v.attrs().ints("end")));
            }
            if (k instanceof Kernel.Fused f && !f.recomputed().isEmpty()) {
                sb.append("   recomputes");
                for (Node r : f.recomputed()) sb.append(' ').append(names.get(r));
            }
            if (k instanceof Kernel.Rows r && !r.shares().isEmpty()) {
                sb.append("   shares");
                for (Node m : k.stores()) if (r.shares().containsKey(m)) sb.append(' ').append(names.get(m)).append(" in ").append(names.get(r.shares().get(m)));
            }
            sb.append("   ->");
            for (Node st : k.stores()) {
                sb.append(' ').append(names.get(st));
                if (k instanceof Kernel.Fused f && f.into().containsKey(st)) sb.append(" (into ").append(names.get(f.into().get(st))).append(')');
            }
            sb.append('\n');
            if (k instanceof Kernel.Loop loop) {
                sb.append(indent).append("      ").append(loop.scan().attrs().i("length")).append(" steps");
                Map<Node, String> bodyNames = IrPrinter.names(loop.body());
                for (Kernel.Packed p : loop.packed())
                    sb.append("; packs ").append(bodyNames.get(p.weight())).append(p.transB() ? " (transposed)" : "").append(" [").append(p.k()).append('x').append(p.n()).append(']');
                for (Kernel.Region rg : loop.regions()) sb.append("; kernels #").append(rg.first()).append("..#").append(rg.last()).append(" one region by rows");
                if (loop.copiesByRows()) sb.append("; copies by rows in the region");
                if (!loop.inPlace().isEmpty()) {
                    sb.append("; writes in place");
                    for (int o : loop.inPlace()) sb.append(' ').append(loop.body().outputs().get(o).name());
                }
                for (int c = 0; c < loop.carryHomes().size(); c++) {
                    Kernel.CarryHome h = loop.carryHomes().get(c);
                    List<Graph.Output> outs = loop.body().outputs();
                    if (h instanceof Kernel.CarryHome.InStack is) sb.append("; carry ").append(c).append(" lives in ").append(outs.get(is.output()).name());
                    else if (h instanceof Kernel.CarryHome.FromStack fs) {
                        if (fs.late() >= 0) sb.append("; carry ").append(c).append(" lives in ").append(outs.get(fs.late()).name()).append(", which holds ")
                                .append(outs.get(fs.output()).name()).append(" one step late (one buffer)");
                        else sb.append("; carry ").append(c).append(" read from ").append(outs.get(fs.output()).name()).append(" of the step before");
                    }
                    else if (h instanceof Kernel.CarryHome.Alternating) sb.append("; carry ").append(c).append(" in two buffers in turn");
                    else sb.append("; carry ").append(c).append(" copied");
                }
                sb.append("; body:\n");
                body(sb, loop.body(), loop.bodyKernels(), mem.loops().get(loop.scan()).body(), indent + "    ");
            }
        }
        sb.append(indent).append("  buffers (floats; lifetime in kernels):\n");
        for (MemoryPlanner.Buffer b : mem.buffers()) {
            sb.append(indent).append("    ").append(b.scratch() ? "scratch of loop " + names.get(b.value()) : names.get(b.value()) + " " + b.value().type())
                    .append("  ").append(b.batchRegion() ? "batch region" : "static region").append(" at ").append(b.offset())
                    .append("  size ").append(b.size()).append("  #").append(b.first()).append("..#")
                    .append(b.last() >= kernels.size() ? "end" : Integer.toString(b.last())).append('\n');
        }
    }

    private static String kind(Kernel k) {
        if (k instanceof Kernel.Fused f) return "fused " + f.shape() + (f.scalar() && f.shape().rank() > 0 ? " scalar" : "") + ":";
        if (k instanceof Kernel.Rows r) return "rows " + r.row() + ":";
        if (k instanceof Kernel.Reduce) return "reduce";
        if (k instanceof Kernel.Call c) return c.epilogue() == null ? "call" : c.epilogue().relu() ? "call + bias, relu:" : "call + bias:";
        if (k instanceof Kernel.Loop) return "loop";
        if (k instanceof Kernel.Commit) return "commit";
        throw new IllegalStateException("unknown kernel kind " + k);
    }

}
