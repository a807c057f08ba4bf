package dev.ingot.compiler.fusion;

import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Elementwise;
import dev.ingot.compiler.ops.FusionKind;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which values a fused kernel computes again instead of reading them from memory: a value of the
 * kernel's shape computed, by a few cheap elementwise ops, from leaves only (inputs, parameters,
 * state, constants). The typical one is a dropout mask ({@code random_uniform(seed, counter) >= rate}):
 * the backward kernel draws it again from the seeded generator rather than reading a stored float
 * mask; another is a broadcast constant. Recomputing costs a few operations per element; reading
 * costs a store and a load of the whole tensor and its arena space.
 */
final class Recompute {
    /** Largest cone of ops recomputed for one value. */
    static final int MAX_CONE = 6;

    private Recompute() {}

    /**
     * The nodes to compute (in no particular order) so that a fused kernel over {@code shape} has
     * {@code x} without reading it: {@code x} and its non-leaf inputs, transitively; or null when
     * {@code x} is not cheap to recompute from leaves.
     */
    static Set<Node> cone(Node x, Shape shape) {
        Set<Node> cone = new LinkedHashSet<>();
        return collect(x, shape, cone) ? cone : null;
    }

    /** Most values one kernel computes again by {@link #lift}. */
    static final int MAX_LIFT = 8;

    /**
     * The values a fused kernel computes again, instead of reading them, from values further up the
     * elementwise chain that produced them, when that makes it read fewer tensors of its shape. The
     * typical case is a backward kernel reading several intermediates of one forward elementwise chain:
     * GELU's backward read {@code x/sqrt 2}, its erf and {@code x/2}, three tensors the forward kernel
     * stored for it; computed again from {@code x} it reads one, and the forward kernel stores none of
     * them. (This is the recomputation of cheap pointwise values that PyTorch's AOT autograd partitioner
     * and XLA do.)
     *
     * <p>Greedy: the kernel's latest read computed by another fused kernel is replaced by its inputs,
     * and so on up the chain (at most {@link #MAX_LIFT} values); the set kept is the shortest prefix
     * with the fewest reads of full tensors. A value is taken only when it has the kernel's shape, is
     * bit-identical wherever computed (the heavy polynomials are, {@code sin}, {@code cos}, {@code pow}
     * are not), keeps the kernel within {@link FusionPlanner#MAX_HEAVY} heavy ops, and each of its
     * inputs is a leaf, a member of a fused kernel (which then stores it) or already read by this
     * kernel: so a new read is always of a value some kernel stores.
     *
     * @param members the kernel's members; {@code extra}: what it already computes again
     * @param fused every member of a fused (elementwise) kernel
     */
    static Set<Node> lift(Collection<Node> members, Set<Node> extra, Shape shape, Set<Node> fused) {
        Set<Node> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(members);
        live.addAll(extra);
        Set<Node> reads = new LinkedHashSet<>();
        int heavy = 0;
        for (Node m : live) {
            if (heavy(m)) heavy++;
            for (Node x : m.inputs()) if (!live.contains(x)) reads.add(x);
        }
        Set<Node> lifted = new LinkedHashSet<>(), best = Set.of();
        int bestCost = cost(reads, shape);
        for (int step = 0; step < MAX_LIFT; step++) {
            Node pick = null;
            for (Node r : reads)
                if (fused.contains(r) && (pick == null || r.id() > pick.id()) && liftable(r, shape, fused, reads, heavy)) pick = r;
            if (pick == null) break;
            lifted.add(pick);
            reads.remove(pick);
            if (heavy(pick)) heavy++;
            for (Node i : pick.inputs()) if (!live.contains(i) && !lifted.contains(i)) reads.add(i);
            int c = cost(reads, shape);
            if (c < bestCost) {
                bestCost = c;
                best = new LinkedHashSet<>(lifted);
            }
        }
        return best;
    }

    private static boolean liftable(Node r, Shape shape, Set<Node> fused, Set<Node> reads, int heavy) {
        if (!r.shape().equals(shape) || !FusionPlanner.loopFused(r)) return false;
        if (r.op() instanceof Elementwise e && !e.recomputable() && !e.heavy()) return false;
        if (heavy(r) && heavy + 1 > FusionPlanner.MAX_HEAVY) return false;
        for (Node i : r.inputs())
            if (i.op().fusionKind() != FusionKind.LEAF && !fused.contains(i) && !reads.contains(i)) return false;
        return true;
    }

    static boolean heavy(Node n) { return n.op() instanceof Elementwise e && e.heavy(); }

    /** Full tensors of the kernel's shape read from memory (constants and broadcast operands are cheap). */
    private static int cost(Set<Node> reads, Shape shape) {
        int c = 0;
        for (Node r : reads) if (!r.isConst() && r.shape().equals(shape)) c++;
        return c;
    }

    private static boolean collect(Node x, Shape shape, Set<Node> cone) {
        if (cone.contains(x)) return true;
        if (!FusionPlanner.loopFused(x) || !x.shape().equals(shape)) return false;
        if (x.op() instanceof Elementwise e && !e.recomputable()) return false;
        cone.add(x);
        if (cone.size() > MAX_CONE) return false;
        for (Node i : x.inputs()) {
            if (i.op().fusionKind() == FusionKind.LEAF) continue;
            if (!collect(i, shape, cone)) return false;
        }
        return true;
    }
}
