package dev.ingot.compiler.memory;

import dev.ingot.compiler.fusion.FusionPlanner;
import dev.ingot.compiler.fusion.Kernel;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Ops;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Static memory planning: every value a kernel stores gets a home before the program runs, so a
 * step allocates nothing.
 *
 * <p>Algorithm:
 * <ol>
 *   <li>Homes that are not the arena: model inputs, parameters and state live in their own arrays;
 *       the new value of a parameter or state is written over it in place (the kernel order makes
 *       that safe); reshapes alias their input; scalar constants are literals.</li>
 *   <li>Live intervals: a value is live from the kernel that stores it to the last kernel that reads
 *       it (through aliases); graph outputs stay live to the end.</li>
 *   <li>Offsets, greedy best-fit over the kernel order, reusing ranges freed by dead values. Sizes
 *       are linear in the batch size, and a shape holds the batch once, so every buffer is either
 *       static or a multiple of the batch size: the arena is a static region (offsets are
 *       constants) followed by a batch region (offsets {@code static + k * maxBatch}), each planned
 *       on its own.</li>
 * </ol>
 */
public final class MemoryPlanner {
    private MemoryPlanner() {}

    /**
     * Where each value lives and how big the arena must be (linear in {@code maxBatch}); for each
     * loop kernel, the plan of its body and where its scratch (carries, body values) lies.
     */
    public record BufferPlan(Map<Node, Home> homes, Lin arenaSize, int slots, Map<Node, LoopMemory> loops, List<Buffer> buffers) {
        public Home home(Node n) {
            Home h = homes.get(n);
            if (h == null) throw new IllegalStateException("no home for " + n);
            return h;
        }
    }

    /**
     * The memory of a loop: its body's own plan, whose arena offsets are relative (see
     * {@link #relocate}), and the absolute offset of each carry's buffer (null for a carry read from a stack one step
     * late, which has none: {@link #buffersOfCarry}), and of its second buffer for a carry kept in two buffers in turn
     * ({@link Kernel.CarryHome.Alternating}; null for the others).
     */
    public record LoopMemory(BufferPlan body, long staticBase, long batchBase, long outerStatic, List<Lin> carries, List<Lin> alternates) {
        /** A body arena offset as an offset in the enclosing arena. */
        public Lin relocate(Arena a) {
            return a.batchRegion() ? new Lin(batchBase + a.offset().perBatch(), outerStatic) : Lin.of(staticBase + a.offset().constant());
        }
    }

    /**
     * One arena buffer: the value stored there (for a loop's scratch, the scan), its region, offset
     * and size in floats (linear in maxBatch) and its lifetime in kernel indices (inclusive; the
     * number of kernels when it stays live to the end).
     */
    public record Buffer(Node value, boolean batchRegion, Lin offset, Lin size, int first, int last, boolean scratch) {}

    /** A value's storage. */
    public sealed interface Home permits Arena, Leaf, Literal, Slot, Within {}

    /**
     * In the arena at {@code offset} (linear in maxBatch). {@code batchRegion} says which region:
     * a batch-region buffer at unit 0 has the same offset as the end of the static region.
     */
    public record Arena(Lin offset, boolean batchRegion) implements Home {}

    /** In the array of a leaf (input, param or state) named {@code name}. */
    public record Leaf(Node leaf) implements Home {}

    /** A scalar constant or the batch size: no storage. */
    public record Literal(Node node) implements Home {}

    /**
     * A loop body's value stored straight where the loop keeps its output {@code output}, not in the body's scratch:
     * for a stacked output, this step's slice of the result ({@link Kernel.Loop#inPlace}); for a carry's new value,
     * where the next step reads it ({@link Kernel.Loop#carryHomes}).
     */
    public record Slot(int output) implements Home {}

    /**
     * In the buffer of {@code base}, {@code shift} floats after its start, counted with the batch size of the call
     * (not the planned maximum): two stacks of a loop one step apart ({@link Kernel.CarryHome.FromStack#late}), the
     * carry before each step and the sequence of its new values, share one buffer of length + 1 slots.
     */
    public record Within(Node base, Lin shift) implements Home {}

    public static BufferPlan plan(Graph g, List<Kernel> kernels) { return plan(g, kernels, List.of()); }

    /**
     * The plan of {@code kernels}, with {@code regions} whose kernels run at the same time on different threads (a
     * loop body's row-parallel regions; loops side by side): every value a kernel of a region reads or stores, and a
     * loop's scratch, stays live to the region's end, so no kernel of the region stores into a buffer that another
     * thread may still use.
     */
    public static BufferPlan plan(Graph g, List<Kernel> kernels, List<Kernel.Region> regions) {
        return plan(g, kernels, regions, List.of());
    }

    /**
     * {@link #plan(Graph, List, List)} of a loop body whose outputs {@code inPlace} (stacked outputs, and carries' new
     * values) are stored where the loop keeps them ({@link Slot}).
     */
    static BufferPlan plan(Graph g, List<Kernel> kernels, List<Kernel.Region> regions, List<Integer> inPlace) {
        Map<Node, Home> homes = new IdentityHashMap<>();
        for (int i : inPlace) homes.put(FusionPlanner.base(g.outputs().get(i).node()), new Slot(i));
        Map<Node, Node> updateTarget = new IdentityHashMap<>();
        java.util.Set<Node> committed = FusionPlanner.committed(kernels);
        for (Graph.Update u : g.updates()) if (!committed.contains(u.value())) updateTarget.put(u.value(), u.target());

        // 1. homes outside the arena
        for (Node n : g.topo()) {
            if (n.op() == Ops.CONST || n.op() == Ops.BATCH_SIZE) homes.put(n, new Literal(n));
            else if (n.op() == Ops.INPUT || n.op() == Ops.PARAM || n.op() == Ops.STATE) homes.put(n, new Leaf(n));
            else if (updateTarget.containsKey(n)) homes.put(n, new Leaf(updateTarget.get(n)));
        }

        // stacks one step apart in one buffer (the sequence's stack is planned with one slot more; the other lies within)
        Map<Node, Node> within = new IdentityHashMap<>();
        Map<Node, Lin> extra = new IdentityHashMap<>();
        for (Kernel k : kernels)
            if (k instanceof Kernel.Loop loop)
                for (Kernel.CarryHome h : loop.carryHomes())
                    if (h instanceof Kernel.CarryHome.FromStack f && f.late() >= 0) {
                        Node ys = loop.projection(f.output()), before = loop.projection(f.late());
                        Lin all = ys.shape().numel();
                        int len = loop.scan().attrs().i("length");
                        Lin slot = new Lin(all.perBatch() / len, all.constant() / len);
                        // forward: [init, y0, ..., y(T-1)], the residual first; reversed: [y0, ..., y(T-1), init], the sequence first
                        Node first = loop.scan().attrs().b("reverse") ? ys : before, second = first == ys ? before : ys;
                        within.put(second, first);
                        extra.put(first, slot);
                        homes.put(second, new Within(first, slot));
                    }

        // 2. live intervals of arena values, by kernel index
        Map<Node, int[]> live = new IdentityHashMap<>();
        List<Node> order = new ArrayList<>();
        List<Integer> storedAt = new ArrayList<>();
        for (int k = 0; k < kernels.size(); k++) {
            int until = k;
            for (Kernel.Region rg : regions) if (rg.contains(k)) until = rg.last();
            for (Node w : kernels.get(k).writes()) {
                Node s = within.getOrDefault(w, w);
                if ((homes.containsKey(s) && s == w) || shared(kernels.get(k), s)) continue;
                if (live.containsKey(s)) {          // a concatenation its parts' kernels store into, one after another
                    live.get(s)[1] = Math.max(live.get(s)[1], until);
                    continue;
                }
                live.put(s, new int[] {k, until});
                order.add(s);
                storedAt.add(k);
            }
            for (Node r : kernels.get(k).reads()) {
                Node b = FusionPlanner.base(r);
                int[] iv = live.get(within.getOrDefault(b, b));
                if (iv != null) iv[1] = Math.max(iv[1], until);
            }
        }
        for (Graph.Output o : g.outputs()) {
            Node b = FusionPlanner.base(o.node());
            int[] iv = live.get(within.getOrDefault(b, b));
            if (iv != null) iv[1] = kernels.size();
        }

        // 3. offsets: static region, then batch region
        Region stat = new Region(), batch = new Region();
        Map<Node, long[]> placed = new IdentityHashMap<>();
        Map<Node, BufferPlan> bodies = new IdentityHashMap<>();
        Map<Node, long[]> scratch = new IdentityHashMap<>();      // scan -> {static base, batch base}
        int first = 0; // order is by kernel: the values kernel k stores start at order[first]
        for (int k = 0; k < kernels.size(); k++) {
            final int now = k;
            stat.release(now, live);
            batch.release(now, live);
            for (; first < order.size() && storedAt.get(first) == now; first++) {
                Node s = order.get(first);
                if (live.get(s)[0] != now) continue;
                Lin size = extra.containsKey(s) ? s.shape().numel().plus(extra.get(s)) : s.shape().numel();
                if (size.isConstant()) placed.put(s, new long[] {0, stat.allocate(s, (size.constant() + 15) / 16 * 16)});
                else placed.put(s, new long[] {1, batch.allocate(s, size.perBatch())});
            }
            if (kernels.get(k) instanceof Kernel.Loop loop) {
                // the loop's scratch: its body's arena plus one buffer per carry, live during the loop only
                List<Integer> slots = new ArrayList<>(loop.inPlace());
                for (int i = 0; i < loop.carryHomes().size(); i++)
                    if (loop.carryHomes().get(i) instanceof Kernel.CarryHome.InStack || loop.carryHomes().get(i) instanceof Kernel.CarryHome.Alternating) slots.add(i);
                BufferPlan body = plan(loop.body(), loop.bodyKernels(), loop.regions(), slots);
                bodies.put(loop.scan(), body);
                long st = body.arenaSize().constant(), bt = body.arenaSize().perBatch();
                List<Node> cs = carries(loop);
                for (int i = 0; i < cs.size(); i++) {
                    Lin size = cs.get(i).shape().numel();
                    int copies = buffersOfCarry(loop, i);
                    if (size.isConstant()) st += copies * ((size.constant() + 15) / 16 * 16);
                    else bt += copies * size.perBatch();
                }
                Node marker = loop.scan();
                int until = k;
                for (Kernel.Region rg : regions) if (rg.contains(k)) until = rg.last();
                live.put(marker, new int[] {k, until});
                scratch.put(marker, new long[] {stat.allocate(marker, (st + 15) / 16 * 16), batch.allocate(marker, bt), (st + 15) / 16 * 16, bt});
            }
        }
        long staticSize = (stat.end + 15) / 16 * 16;
        Map<Node, LoopMemory> loops = new IdentityHashMap<>();
        for (var e : bodies.entrySet()) {
            BufferPlan body = e.getValue();
            long[] base = scratch.get(e.getKey());
            long st = base[0] + body.arenaSize().constant(), bt = base[1] + body.arenaSize().perBatch();
            List<Lin> carryOffsets = new ArrayList<>(), alternates = new ArrayList<>();
            Kernel.Loop loop = null;
            for (Kernel kk : kernels) if (kk instanceof Kernel.Loop l && l.scan() == e.getKey()) loop = l;
            List<Node> cs = carries(loop);
            for (int i = 0; i < cs.size(); i++) {
                Lin size = cs.get(i).shape().numel();
                int copies = buffersOfCarry(loop, i);
                boolean two = copies == 2;
                if (copies == 0) carryOffsets.add(null);
                for (int copy = 0; copy < copies; copy++) {
                    Lin at;
                    if (size.isConstant()) {
                        at = Lin.of(st);
                        st += (size.constant() + 15) / 16 * 16;
                    } else {
                        at = new Lin(bt, staticSize);
                        bt += size.perBatch();
                    }
                    if (copy == 0) carryOffsets.add(at);
                    else alternates.add(at);
                }
                if (!two) alternates.add(null);
            }
            loops.put(e.getKey(), new LoopMemory(body, base[0], base[1], staticSize, carryOffsets, java.util.Collections.unmodifiableList(alternates)));
        }
        for (var e : placed.entrySet()) {
            long[] p = e.getValue();
            homes.put(e.getKey(), new Arena(p[0] == 0 ? Lin.of(p[1]) : new Lin(p[1], staticSize), p[0] != 0));
        }
        // row values a row kernel keeps in the buffer of a later value of the same rows
        for (Kernel k : kernels)
            if (k instanceof Kernel.Rows r) for (var e : r.shares().entrySet()) homes.put(e.getKey(), homes.get(e.getValue()));
        List<Buffer> buffers = new ArrayList<>();
        for (Node s : order) {
            Arena a = (Arena) homes.get(s);
            Lin size = extra.containsKey(s) ? s.shape().numel().plus(extra.get(s)) : s.shape().numel();
            if (size.isConstant()) size = Lin.of((size.constant() + 15) / 16 * 16);
            buffers.add(new Buffer(s, a.batchRegion(), a.offset(), size, live.get(s)[0], live.get(s)[1], false));
        }
        for (var e : scratch.entrySet()) {
            long[] p = e.getValue();
            int[] iv = live.get(e.getKey());
            if (p[2] > 0) buffers.add(new Buffer(e.getKey(), false, Lin.of(p[0]), Lin.of(p[2]), iv[0], iv[1], true));
            if (p[3] > 0) buffers.add(new Buffer(e.getKey(), true, new Lin(p[1], staticSize), Lin.batch(p[3]), iv[0], iv[1], true));
        }
        buffers.sort((x, y) -> x.first() != y.first() ? Integer.compare(x.first(), y.first()) : Integer.compare(x.value().id(), y.value().id()));
        // aliases share their base's home
        for (Node n : g.topo()) if (!homes.containsKey(n) && FusionPlanner.base(n) != n) homes.put(n, homes.get(FusionPlanner.base(n)));
        return new BufferPlan(homes, new Lin(batch.end, staticSize), placed.size(), loops, List.copyOf(buffers));
    }

    private static boolean shared(Kernel k, Node s) { return k instanceof Kernel.Rows r && r.shares().containsKey(s); }

    /**
     * Buffers of the loop's scratch for its carry {@code i}: two for one kept in two buffers in turn, none for one
     * read from the slot of a stack one step late (its initial value is copied into that stack's first slot), one
     * otherwise.
     */
    static int buffersOfCarry(Kernel.Loop loop, int i) {
        Kernel.CarryHome h = loop.carryHomes().get(i);
        if (h instanceof Kernel.CarryHome.Alternating) return 2;
        return h instanceof Kernel.CarryHome.FromStack f && f.late() >= 0 ? 0 : 1;
    }

    /** The carried values of a loop (the scan's first inputs). */
    static List<Node> carries(Kernel.Loop loop) {
        int n = ((dev.ingot.compiler.ops.ScanBody) loop.scan().attrs().map().get("body")).carries();
        return loop.scan().inputs().subList(0, n);
    }

    /** Best-fit allocation of ranges within one region, in its unit (floats, or floats per example). */
    private static final class Region {
        record Block(long start, long size, Node owner) {}

        final List<Block> used = new ArrayList<>();
        long end;

        void release(int now, Map<Node, int[]> live) {
            used.removeIf(b -> live.get(b.owner())[1] < now);
        }

        long allocate(Node owner, long size) {
            used.sort((a, b) -> Long.compare(a.start(), b.start()));
            long bestStart = -1, bestGap = Long.MAX_VALUE, cursor = 0;
            for (Block b : used) {
                long gap = b.start() - cursor;
                if (gap >= size && gap < bestGap) {
                    bestGap = gap;
                    bestStart = cursor;
                }
                cursor = Math.max(cursor, b.start() + b.size());
            }
            if (bestStart < 0) bestStart = cursor;
            used.add(new Block(bestStart, size, owner));
            end = Math.max(end, bestStart + size);
            return bestStart;
        }
    }
}
