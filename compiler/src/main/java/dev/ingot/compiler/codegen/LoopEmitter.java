package dev.ingot.compiler.codegen;

import dev.ingot.compiler.fusion.Kernel;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.memory.MemoryPlanner;
import dev.ingot.compiler.ops.ScanBody;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lowers a {@code scan} to a Java loop, never unrolled:
 * <pre>
 * private void k12_scan() {
 *     System.arraycopy(init, ..., a, T_K12_CARRY0, 32 * n);          // carries start at their inputs
 *     for (int s = 0; s &lt; 64; s++) {
 *         t_k12_scan = s;                                             // (63 - s) when reversed
 *         k12_scanBody();                                             // the body's own fused kernels
 *         System.arraycopy(a, ..., a, T_YS + t_k12_scan * (256 * n), 256 * n);   // outputs not written in place
 *         System.arraycopy(a, ..., a, T_K12_CARRY0, 256 * n);         // the new carries
 *     }
 *     System.arraycopy(a, T_K12_CARRY0, a, T_HT, 256 * n);            // final carries
 * }
 * </pre>
 * The body is planned once (its own kernels and memory, inside the loop's scratch in the arena);
 * its inputs read the carry buffers, this step's slice of each scanned input (time-major, so a
 * contiguous block at {@code t * stepSize}) and the constants where they live. A stacked output the
 * schedule writes in place ({@link Kernel.Loop#inPlace}) is stored by its body kernel straight into
 * this step's slice of the result, {@code T_YS + t * stepSize}; the others are copied after the step. A carry the
 * schedule keeps in place ({@link Kernel.Loop#carryHomes}) is read through a field holding this step's offset
 * ({@code cr_k12_scan_0}) and its new value stored through another ({@code cw_k12_scan_0}): in a stack's next slot, in
 * the slot of a stacked output the step before wrote, or in two buffers swapped after each step; no copy.
 */
final class LoopEmitter {
    private LoopEmitter() {}

    static String emit(Kernel.Loop loop, String name, EntryContext cx, ClassContext cls, List<String> kernelsOut, JavaEmitter.Options opt) {
        Node scan = loop.scan();
        ScanBody body = (ScanBody) scan.attrs().map().get("body");
        MemoryPlanner.LoopMemory mem = cx.plan.loops().get(scan);
        int len = scan.attrs().i("length"), nc = body.carries(), nx = body.xs();
        boolean reverse = scan.attrs().b("reverse");
        String t = "t_" + name;
        cls.taskFields.add("/** Time step of loop {@code " + name + "}. */\nprivate int " + t + ";");
        String pfx = cx.prefix + "_" + name.substring(0, name.indexOf('_')).toUpperCase(Locale.ROOT);

        // where the body's inputs live
        Graph g = loop.body();
        Map<Node, String[]> overrides = new IdentityHashMap<>();
        List<String> carry = new ArrayList<>();
        for (int i = 0; i < nc; i++) carry.add(mem.carries().get(i) == null ? null : cls.arenaOffset(pfx + "_CARRY" + i, mem.carries().get(i)));
        // carries kept where the next step reads them (the schedule's Kernel.Loop#carryHomes): the body reads each through
        // a field holding this step's offset, and stores the new value through another
        List<Kernel.CarryHome> homes = loop.carryHomes();
        String[] readAt = new String[nc], writeAt = new String[nc];
        List<String> stepStart = new ArrayList<>(), stepEnd = new ArrayList<>(), beforeLoop = new ArrayList<>();
        String last = Integer.toString(len - 1), tPrev = reverse ? "(" + t + " + 1)" : "(" + t + " - 1)", tNext = reverse ? "(" + t + " - 1)" : "(" + t + " + 1)";
        for (int i = 0; i < nc; i++) {
            Node leaf = Rewriter.leaf(g, "c" + i), value = dev.ingot.compiler.fusion.FusionPlanner.base(outs(g).get(i).node());
            String step = size(outs(g).get(i).node().shape().numel());
            Kernel.CarryHome h = homes.get(i);
            if (h instanceof Kernel.CarryHome.Copied) {
                if (leaf != null) overrides.put(leaf, new String[] {"a", carry.get(i)});
                continue;
            }
            readAt[i] = "cr_" + name + "_" + i;
            cls.taskFields.add("/** Offset of carry " + i + " of loop {@code " + name + "} in this step. */\nprivate int " + readAt[i] + ";");
            if (leaf != null) overrides.put(leaf, new String[] {"a", readAt[i]});
            if (h instanceof Kernel.CarryHome.FromStack fs && fs.late() >= 0) {
                // the stack of the carry before each step is the sequence's one slot behind, the initial value first
                stepStart.add(readAt[i] + " = " + stackOffset(loop, fs.late(), cx) + " + " + t + " * (" + step + ");   // carry " + i + " lives in "
                        + outs(g).get(fs.late()).name() + ", which is " + outs(g).get(fs.output()).name() + " one step late");
                continue;
            }
            if (h instanceof Kernel.CarryHome.FromStack fs) {
                String stack = stackOffset(loop, fs.output(), cx);
                stepStart.add(readAt[i] + " = s == 0 ? " + carry.get(i) + " : " + stack + " + " + tPrev + " * (" + step + ");   // carry " + i + ": the slot of "
                        + outs(g).get(fs.output()).name() + " the step before wrote");
                continue;
            }
            writeAt[i] = "cw_" + name + "_" + i;
            cls.taskFields.add("/** Offset where loop {@code " + name + "} stores the new value of carry " + i + " in this step. */\nprivate int " + writeAt[i] + ";");
            overrides.put(value, new String[] {"a", writeAt[i]});
            if (h instanceof Kernel.CarryHome.InStack is) {
                String stack = stackOffset(loop, is.output(), cx);
                stepStart.add(readAt[i] + " = " + stack + " + " + t + " * (" + step + ");   // carry " + i + " lives in " + outs(g).get(is.output()).name());
                stepStart.add(writeAt[i] + " = s == " + last + " ? " + carry.get(i) + " : " + stack + " + " + tNext + " * (" + step + ");");
            } else {
                String alt = cls.arenaOffset(pfx + "_CARRY" + i + "B", mem.alternates().get(i));
                beforeLoop.add(readAt[i] + " = " + carry.get(i) + ";   // carry " + i + ": two buffers in turn");
                beforeLoop.add(writeAt[i] + " = " + alt + ";");
                stepEnd.add("{ final int c = " + readAt[i] + "; " + readAt[i] + " = " + writeAt[i] + "; " + writeAt[i] + " = c; }   // carry " + i + ": swap its buffers");
            }
        }
        for (int j = 0; j < nx; j++) {
            Node leaf = Rewriter.leaf(g, "x" + j), in = scan.in(nc + j);
            if (leaf == null) continue;
            String step = leaf.shape().numel().java("n");
            overrides.put(leaf, new String[] {cx.array(in), "(" + cx.offset(in) + " + " + t + " * (" + step + "))"});
        }
        for (int m = 0; m < body.consts(); m++) {
            Node leaf = Rewriter.leaf(g, "k" + m), in = scan.in(nc + nx + m);
            if (leaf != null) overrides.put(leaf, new String[] {cx.array(in), cx.offset(in)});
        }
        // stacked outputs written in place: the body stores them into this step's slice of the result
        List<Graph.Output> outs = g.outputs();
        for (int idx : loop.inPlace()) {
            Node y = outs.get(idx).node(), proj = loop.projection(idx);
            overrides.put(dev.ingot.compiler.fusion.FusionPlanner.base(y), new String[] {cx.array(proj),
                    "(" + cx.offset(proj) + " + " + t + " * (" + size(y.shape().numel()) + "))"});
        }
        EntryContext bx = new EntryContext(pfx, mem.body(), cls, mem::relocate, overrides);
        // weights constant across steps feeding a matmul, packed once before the loop (the schedule's decision)
        List<String> prologue = new ArrayList<>();
        for (Kernel.Packed pw : loop.packed()) {
            Node w = pw.weight();
            String wname = w.attrs().s("name");
            String field = cls.unique("packed_" + name + "_" + wname);
            cls.taskFields.add("/** " + wname + " of loop {@code " + name + "}, packed for MatMulPacked (from element Aligned.PAD, 64-byte aligned). */\nprivate final float[] " + field
                    + " = Aligned.floats(MatMulPacked.size(" + pw.k() + ", " + pw.n() + "));");
            String[] where = overrides.get(w);
            prologue.add("MatMulPacked.pack(" + where[0] + ", " + where[1] + ", " + pw.transB() + ", " + pw.k() + ", " + pw.n() + ", " + field + ", Aligned.PAD);");
            bx.packedWeights.put(w, new String[] {field, Boolean.toString(pw.transB())});
        }
        // this step's copies: outputs not written in place first (one of them may be a carry before the step), then
        // the new carries; each {array, offset, array, offset, size, comment}
        List<String[]> copies = new ArrayList<>();
        List<Node> copied = new ArrayList<>();
        for (Node proj : loop.projections()) {
            if (!loop.copiedPerStep(proj)) continue;
            int idx = proj.attrs().i("index");
            Node y = outs.get(idx).node();
            String step = size(y.shape().numel());
            copies.add(new String[] {bx.array(y), bx.offset(y), cx.array(proj), cx.offset(proj) + " + " + t + " * (" + step + ")", step, outs.get(idx).name()});
            copied.add(y);
        }
        for (int i = 0; i < nc; i++) {
            if (loop.carryInPlace(i)) continue;
            Node c = outs.get(i).node();
            copies.add(new String[] {bx.array(c), bx.offset(c), "a", carry.get(i), size(c.shape().numel()), "new carry " + i});
            copied.add(c);
        }
        List<String> copyStatements = new ArrayList<>();
        for (int i = 0; i < copies.size(); i++) {
            String[] c = copies.get(i);
            if (loop.copiesByRows()) {
                // rows [lo, hi) of [batch, ...] values, at the end of the body's region (Kernel.Loop.copiesByRows)
                long row = copied.get(i).shape().numel().perBatch();
                copyStatements.add("System.arraycopy(" + c[0] + ", " + c[1] + " + lo * " + row + ", " + c[2] + ", " + c[3] + " + lo * " + row
                        + ", (hi - lo) * " + row + ");   // " + c[5] + ", rows [lo, hi)");
            } else {
                copyStatements.add("System.arraycopy(" + c[0] + ", " + c[1] + ", " + c[2] + ", " + c[3] + ", " + c[4] + ");   // " + c[5]);
            }
        }
        List<String> calls = JavaEmitter.kernelCalls(loop.bodyKernels(), loop.regions(), List.of(), loop.copiesByRows() ? copyStatements : List.of(),
                bx, cls, kernelsOut, opt);
        // the body as its own method(s), so the loop method stays small
        List<String> parts = new ArrayList<>();
        for (int i = 0, p = 0; i < calls.size(); i += JavaEmitter.CALLS_PER_PART, p++) {
            String part = name + "Body" + p;
            parts.add(part + "();");
            StringBuilder m = new StringBuilder("/** One step of {@link #" + name + "}. */\nprivate void " + part + "() {\n");
            for (String st : calls.subList(i, Math.min(calls.size(), i + JavaEmitter.CALLS_PER_PART))) m.append(st).append('\n');
            kernelsOut.add(m.append("}\n").toString());
        }

        StringBuilder b = new StringBuilder("private void ").append(name).append("() {\nfinal int n = this.n;\n");
        for (String p : prologue) b.append(p).append('\n');
        for (int i = 0; i < nc; i++) {
            Node init = scan.in(i);
            String to = carry.get(i), what = "initial carry " + i;
            int stack = homes.get(i) instanceof Kernel.CarryHome.InStack is ? is.output()
                    : homes.get(i) instanceof Kernel.CarryHome.FromStack fs && fs.late() >= 0 ? fs.late() : -1;
            if (stack >= 0) {
                to = stackOffset(loop, stack, cx) + " + " + (reverse ? last : "0") + " * (" + size(init.shape().numel()) + ")";
                what += ", in the first slot of " + outs.get(stack).name();
            }
            b.append("System.arraycopy(").append(cx.array(init)).append(", ").append(cx.offset(init)).append(", a, ").append(to)
                    .append(", ").append(size(init.shape().numel())).append(");   // ").append(what).append('\n');
        }
        for (String st : beforeLoop) b.append(st).append('\n');
        b.append("for (int s = 0; s < ").append(len).append("; s++) {\n");
        b.append(t).append(" = ").append(reverse ? (len - 1) + " - s" : "s").append(";\n");
        for (String st : stepStart) b.append(st).append('\n');
        for (String p : parts) b.append(p).append('\n');
        if (!loop.copiesByRows()) for (String c : copyStatements) b.append(c).append('\n');
        for (String st : stepEnd) b.append(st).append('\n');
        b.append("}\n");
        for (Node proj : loop.projections()) {
            int idx = proj.attrs().i("index");
            if (idx >= nc) continue;
            String from = carry.get(idx);
            if (homes.get(idx) instanceof Kernel.CarryHome.FromStack fs)
                from = stackOffset(loop, fs.output(), cx) + " + " + (reverse ? "0" : last) + " * (" + size(proj.shape().numel()) + ")";
            else if (homes.get(idx) instanceof Kernel.CarryHome.Alternating) from = readAt[idx];
            b.append("System.arraycopy(a, ").append(from).append(", ").append(cx.array(proj)).append(", ").append(cx.offset(proj)).append(", ")
                    .append(size(proj.shape().numel())).append(");   // final carry ").append(idx).append('\n');
        }
        return b.append("}\n").toString();
    }

    private static String size(Lin l) { return l.java("n"); }

    private static List<Graph.Output> outs(Graph g) { return g.outputs(); }

    /** Offset of the stack of the loop's stacked output {@code output} (in the arena: a carry's buffer is there too). */
    private static String stackOffset(Kernel.Loop loop, int output, EntryContext cx) {
        Node proj = loop.projection(output);
        if (!cx.array(proj).equals("a")) throw new IllegalStateException("the stack of output " + output + " of " + loop.scan() + " is not in the arena");
        return cx.offset(proj);
    }
}
