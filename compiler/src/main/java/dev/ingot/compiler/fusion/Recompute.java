package dev.ingot.compiler.fusion;

import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Elementwise;
import dev.ingot.compiler.ops.FusionKind;
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
