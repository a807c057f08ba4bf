package dev.ingot.compiler.fusion;

import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import java.util.List;

/**
 * A unit of generated code: one method in the generated class.
 * <ul>
 *   <li>{@link Fused}: a bundle of elementwise nodes of one iteration shape, computed in one loop;
 *       {@code stores} are the members whose values leave the loop (used elsewhere, or results);
 *       {@code recomputed} are members computed again from leaves instead of being read from memory
 *       (a dropout mask from the seeded generator, a broadcast constant): another kernel computes them
 *       too. {@code views} are slices read in place, as strided views of their inputs (which are among the
 *       {@code reads}): a gate {@code z[:, 256:512]} costs no copy kernel.</li>
 *   <li>{@link Rows}: reductions over the last axis of a row shape {@code [..., R]} with the
 *       elementwise nodes that produce their inputs and consume their results, all of shape
 *       {@code [..., R]} or {@code [..., 1]}: one pass over each row per phase (softmax, layer norm).</li>
 *   <li>{@link Reduce}: one reduction over a contiguous block of axes.</li>
 *   <li>{@link Call}: a library op (matmul, one_hot) or a data movement (transpose), lowered by the op itself.</li>
 *   <li>{@link Loop}: a {@code scan}: a Java loop over the kernels of its (optimized) body, writing the
 *       scan's results ({@code projections}).</li>
 *   <li>{@link Commit}: copies a parameter's or state's new value over the old one, when it could not be
 *       written in place (its kernel also reads the old value of another updated tensor).</li>
 * </ul>
 */
public sealed interface Kernel permits Kernel.Fused, Kernel.Rows, Kernel.Reduce, Kernel.Call, Kernel.Commit, Kernel.Loop {
    /** Nodes whose values this kernel writes to memory. */
    List<Node> stores();

    /**
     * The values whose buffers this kernel writes: its {@link #stores}, except that a member stored into a slice of a
     * concatenation ({@link Fused#into}) writes the concatenation's buffer. What memory planning and the schedule's
     * checks count as stored.
     */
    default List<Node> writes() { return stores(); }

    /** Nodes computed by this kernel (for fused kernels, all members). */
    List<Node> members();

    /** Values read from memory. */
    List<Node> reads();

    /** See {@link Fused#scalar()}. */
    int SCALAR_BELOW = 512;

    /**
     * {@code into} maps stored members to the concatenation they are a part of ({@code Scheduler.concatsInPlace}): the
     * kernel stores such a member straight into its slice of the concatenation's buffer, a strided view, and no
     * concatenation kernel runs.
     */
    record Fused(List<Node> members, List<Node> stores, List<Node> reads, Shape shape, List<Node> recomputed, List<Node> views,
                 java.util.Map<Node, Node> into) implements Kernel {
        public Fused(List<Node> members, List<Node> stores, List<Node> reads, Shape shape) { this(members, stores, reads, shape, List.of(), List.of()); }
        public Fused(List<Node> members, List<Node> stores, List<Node> reads, Shape shape, List<Node> recomputed, List<Node> views) {
            this(members, stores, reads, shape, recomputed, views, java.util.Map.of());
        }
        public Fused withInto(java.util.Map<Node, Node> m) { return new Fused(members, stores, reads, shape, recomputed, views, m); }

        /**
         * Whether the kernel runs as plain scalar code, not the Vector API: it has fewer than {@link #SCALAR_BELOW}
         * elements, a number fixed at compile time (an optimizer's update of a bias or a layer norm's scale). NOTE:
         * such a kernel runs a few vector iterations once per step, so HotSpot compiles it with C2 only after about
         * 600 steps (5000 calls, or 600 with 15000 calls and loop iterations together); until then C1 runs the Vector
         * API with every vector boxed: 22 KB per call and step for a [128] Adam update, 0.5 MB per char_transformer
         * step on JDK 17 after 100 s. Scalar code allocates nothing in any tier, and at this size costs microseconds.
         */
        public boolean scalar() {
            dev.ingot.compiler.ir.Lin n = shape.numel();
            return n.isConstant() && n.constant() < SCALAR_BELOW;
        }

        @Override public List<Node> writes() {
            if (into.isEmpty()) return stores;
            List<Node> r = new java.util.ArrayList<>();
            for (Node s : stores) {
                Node w = into.getOrDefault(s, s);
                if (!r.contains(w)) r.add(w);
            }
            return r;
        }
    }

    /**
     * A row kernel over {@code row} ({@code [..., R]}): for each row, phases in order; phase k first
     * computes the row scalars ({@code [..., 1]} members) of phase k, then loops over the row
     * computing the row members of phase k and accumulating the reductions whose input is of phase
     * k. {@code phase} maps each member to its phase (a reduction: the phase after its loop). Row
     * members read by a later phase are among the {@code stores}; {@code shares} maps those read by no other kernel
     * to the stored member whose buffer they use (written over them once they are read).
     */
    record Rows(List<Node> members, List<Node> stores, List<Node> reads, Shape row, java.util.Map<Node, Integer> phase,
                java.util.Map<Node, Node> shares) implements Kernel {}

    record Reduce(Node node) implements Kernel {
        public List<Node> stores() { return List.of(node); }
        public List<Node> members() { return List.of(node); }
        public List<Node> reads() { return node.inputs(); }
    }

    /**
     * A library op's kernel, with an optional {@link Epilogue} the op applies to its output before
     * storing it.
     */
    record Call(Node node, Epilogue epilogue) implements Kernel {
        public Call(Node node) { this(node, null); }
        public List<Node> stores() { return List.of(epilogue == null ? node : epilogue.out()); }
        public List<Node> members() {
            if (epilogue == null) return List.of(node);
            List<Node> r = new java.util.ArrayList<>(List.of(node));
            r.addAll(epilogue.members());
            return r;
        }
        public List<Node> reads() {
            if (epilogue == null || epilogue.bias() == null) return node.inputs();
            List<Node> r = new java.util.ArrayList<>(node.inputs());
            r.add(epilogue.bias());
            return r;
        }
    }

    /**
     * What a matrix product does to each block of its output before storing it, in the kernel that
     * computes it: {@code out = act(node + bias)}: the dense layer's bias add ({@code bias} a leaf
     * broadcast along the last axis, or null) and ReLU ({@code relu}). {@code members} are the
     * elementwise nodes it replaces (the add, the ReLU's comparison and select); {@code out} the last
     * of them, the only value stored.
     */
    record Epilogue(Node bias, boolean relu, List<Node> members, Node out) {}

    record Commit(Node value, Node target) implements Kernel {
        public List<Node> stores() { return List.of(); }
        public List<Node> members() { return List.of(value); }
        public List<Node> reads() { return List.of(value); }
    }

    /**
     * @param packed  weights constant across the loop's steps that feed a matmul of the body: packed
     *                once before the loop (a decision of the schedule; empty for scalar code)
     * @param regions runs of body kernels executed as one row-parallel region each
     * @param inPlace indices of the scan's stacked outputs whose body value is stored straight into this step's
     *                slice of the result (no copy after the step; see {@code Scheduler.inPlace})
     * @param copiesByRows whether the step's copies (the stacked outputs not written in place, the new carries) run at
     *                the end of the body's one row-parallel region, each thread copying its own rows (the whole body
     *                is that region and every copied value is {@code [batch, ...]}): a step is then one fork-join
     *                with no serial part
     * @param carryHomes where each carry lives from one step to the next ({@link CarryHome}; see
     *                {@code Scheduler.carryHomes}), one per carry
     */
    record Loop(Node scan, List<Node> projections, dev.ingot.compiler.ir.Graph body, List<Kernel> bodyKernels, List<Packed> packed, List<Region> regions,
                List<Integer> inPlace, boolean copiesByRows, List<CarryHome> carryHomes) implements Kernel {
        public Loop(Node scan, List<Node> projections, dev.ingot.compiler.ir.Graph body, List<Kernel> bodyKernels, List<Packed> packed) {
            this(scan, projections, body, bodyKernels, packed, List.of(), List.of(), false,
                    java.util.Collections.nCopies(((dev.ingot.compiler.ops.ScanBody) scan.attrs().map().get("body")).carries(), new CarryHome.Copied()));
        }
        public Loop withPacked(List<Packed> p) { return new Loop(scan, projections, body, bodyKernels, List.copyOf(p), regions, inPlace, copiesByRows, carryHomes); }
        public Loop withRegions(List<Region> r) { return new Loop(scan, projections, body, bodyKernels, packed, List.copyOf(r), inPlace, copiesByRows, carryHomes); }
        public Loop withInPlace(List<Integer> o) { return new Loop(scan, projections, body, bodyKernels, packed, regions, List.copyOf(o), copiesByRows, carryHomes); }
        public Loop withCopiesByRows(boolean b) { return new Loop(scan, projections, body, bodyKernels, packed, regions, inPlace, b, carryHomes); }
        public Loop withCarryHomes(List<CarryHome> c) { return new Loop(scan, projections, body, bodyKernels, packed, regions, inPlace, copiesByRows, List.copyOf(c)); }
        /** The projection of the scan's output {@code index}, or null when nothing reads that output. */
        public Node projection(int index) {
            for (Node p : projections) if (p.attrs().i("index") == index) return p;
            return null;
        }
        /**
         * Whether projection {@code proj} is copied after each step: a carry's final value is copied after the loop,
         * the one projection of an output in place is written by the body, every other projection is copied.
         */
        public boolean copiedPerStep(Node proj) {
            int i = proj.attrs().i("index");
            if (i < ((dev.ingot.compiler.ops.ScanBody) scan.attrs().map().get("body")).carries()) return false;
            if (projection(i) != proj) return true;
            if (inPlace.contains(i) || late(i)) return false;
            for (CarryHome c : carryHomes) if (c instanceof CarryHome.InStack s && s.output() == i) return false;
            return true;
        }
        /** Whether stacked output {@code i} is another stack one step late, in the same buffer ({@link CarryHome.FromStack#late}): never copied. */
        public boolean late(int i) {
            for (CarryHome c : carryHomes) if (c instanceof CarryHome.FromStack f && f.late() == i) return true;
            return false;
        }
        /** Whether carry {@code i}'s new value is stored by the body straight where the next step reads it (no copy). */
        public boolean carryInPlace(int i) { return !(carryHomes.get(i) instanceof CarryHome.Copied); }
        public List<Node> stores() { return projections; }
        public List<Node> members() { return List.of(scan); }
        public List<Node> reads() { return scan.inputs(); }
    }

    /**
     * Where a loop's carry lives between steps, so that a step copies no carry:
     * <ul>
     *   <li>{@link Copied}: in its own buffer; the body stores the new value in its scratch and the step copies it over
     *       the carry (a carry passed through unchanged, or a scanned input).</li>
     *   <li>{@link InStack}: in the stack of stacked output {@code output}, whose body value is the carry itself (a
     *       residual "carry before each step" of a training loop): step t reads slot t and its kernel stores the new
     *       value straight into slot t+1 (t-1 when reversed; the carry's own buffer after the last step). The
     *       residual costs no copy either.</li>
     *   <li>{@link FromStack}: the new value is stacked output {@code output}, written in place: step t reads the
     *       slot the step before wrote (the carry's own buffer, holding the initial value, at the first step). When
     *       {@code late} is a stacked output too (at least 0), the carry itself before each step (a training loop's
     *       residual), the two stacks share one buffer of length + 1 slots, one slot apart ({@code MemoryPlanner.Within}):
     *       slot t of {@code late} is slot t - 1 of {@code output} (t + 1 when reversed), and its first slot holds the
     *       initial value, copied there before the loop. Step t reads the carry from slot t of {@code late}, and the
     *       residual costs no copy: an LSTM that returns its sequence copies nothing per step.</li>
     *   <li>{@link Alternating}: in two buffers used in turn: step t reads one, its kernel stores the new value into
     *       the other.</li>
     * </ul>
     */
    sealed interface CarryHome {
        record Copied() implements CarryHome {}
        record InStack(int output) implements CarryHome {}
        record FromStack(int output, int late) implements CarryHome {}
        record Alternating() implements CarryHome {}
    }

    /**
     * Body kernels {@code first..last} (indices, inclusive) run as one parallel region split by batch rows: each thread
     * runs every kernel of the region on its own rows, with no barrier between them (each kernel reads only the same
     * rows of what the earlier ones wrote). A recurrent step's gate kernels: one fork-join per step instead of one per
     * kernel, or none.
     */
    record Region(int first, int last) {
        public boolean contains(int k) { return first <= k && k <= last; }
    }

    /** A loop-constant weight (a leaf of the body) packed for {@code MatMulPacked}, as the matmul reads it. */
    record Packed(Node weight, boolean transB, int k, int n) {}
}
