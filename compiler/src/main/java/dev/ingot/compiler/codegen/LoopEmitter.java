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
 * this step's slice of the result, {@code T_YS + t * stepSize}; the others are copied after the step.
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
        for (int i = 0; i < nc; i++) carry.add(cls.arenaOffset(pfx + "_CARRY" + i, mem.carries().get(i)));
        for (int i = 0; i < nc; i++) {
            Node leaf = Rewriter.leaf(g, "c" + i);
            if (leaf != null) overrides.put(leaf, new String[] {"a", carry.get(i)});
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
            b.append("System.arraycopy(").append(cx.array(init)).append(", ").append(cx.offset(init)).append(", a, ").append(carry.get(i))
                    .append(", ").append(size(init.shape().numel())).append(");   // initial carry ").append(i).append('\n');
        }
        b.append("for (int s = 0; s < ").append(len).append("; s++) {\n");
        b.append(t).append(" = ").append(reverse ? (len - 1) + " - s" : "s").append(";\n");
        for (String p : parts) b.append(p).append('\n');
        if (!loop.copiesByRows()) for (String c : copyStatements) b.append(c).append('\n');
        b.append("}\n");
        for (Node proj : loop.projections()) {
            int idx = proj.attrs().i("index");
            if (idx >= nc) continue;
            b.append("System.arraycopy(a, ").append(carry.get(idx)).append(", ").append(cx.array(proj)).append(", ").append(cx.offset(proj)).append(", ")
                    .append(size(proj.shape().numel())).append(");   // final carry ").append(idx).append('\n');
        }
        return b.append("}\n").toString();
    }

    private static String size(Lin l) { return l.java("n"); }
}
