package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The body of a {@code scan}: a graph from one step's values to the next. Its leaves are inputs
 * named {@code c0..} (carried state), {@code x0..} (this step's slice of each scanned input) and
 * {@code k0..} (values constant across steps: weights, captured tensors); its outputs are the new
 * carries (in order, same types) followed by this step's outputs {@code y0..}.
 *
 * @param carries number of carried values
 * @param xs      number of scanned inputs
 * @param consts  number of constants
 * @param grad    for an augmented body (training): how to build the backward pass; else null
 * @param inputTypes the type of each input in scan order (carries, one step of each scanned input, constants),
 *                   also for inputs the body does not read
 */
public record ScanBody(Graph graph, int carries, int xs, int consts, ScanGradPlan grad, List<dev.ingot.compiler.ir.TensorType> inputTypes, int id) {
    private static final AtomicInteger IDS = new AtomicInteger();

    public ScanBody(Graph graph, int carries, int xs, int consts, ScanGradPlan grad, List<dev.ingot.compiler.ir.TensorType> inputTypes) {
        this(graph, carries, xs, consts, grad, List.copyOf(inputTypes), IDS.incrementAndGet());
        if (inputTypes.size() != carries + xs + consts) throw new IllegalArgumentException("scan body: " + inputTypes.size() + " input types for " + (carries + xs + consts) + " inputs");
    }

    /** Per-step outputs. */
    public int ys() { return graph.outputs().size() - carries; }

    /** Leaf {@code name} (c0, x1, k2...) of the body, or null when the body does not use it. */
    public Node leaf(String name) { return dev.ingot.compiler.ir.Rewriter.leaf(graph, name); }

    /** The body's input leaves in scan-input order (null for unused ones). */
    public List<Node> leaves() {
        List<Node> r = new ArrayList<>();
        for (int i = 0; i < carries; i++) r.add(leaf("c" + i));
        for (int i = 0; i < xs; i++) r.add(leaf("x" + i));
        for (int i = 0; i < consts; i++) r.add(leaf("k" + i));
        return r;
    }

    /**
     * What the backward pass needs from an augmented forward body: per-step outputs appended after
     * the original {@code ys} are {@code residuals} saved intermediate values, then the carries as
     * they were before each step; {@code backward} is the body of the reverse-time gradient scan.
     */
    public record ScanGradPlan(int originalYs, int residuals, ScanBody backward, int[] accCarry, List<List<HoistedTerm>> hoisted) {
        @Override public boolean equals(Object o) { return this == o; }
        @Override public int hashCode() { return System.identityHashCode(this); }
    }

    /**
     * A term of a constant's gradient computed once after the backward loop over stacked per-step
     * values, instead of accumulated at every step: {@code matmul(P^T, Q)} (a weight gradient) or
     * {@code sum(P, axis 0)} (a bias gradient), with P (and Q) the backward loop's per-step outputs
     * {@code p} and {@code q} (indices among its stacked outputs), reshaped to {@code shape}.
     */
    public record HoistedTerm(boolean matmul, int p, int q, int[] shape) {}

    @Override public boolean equals(Object o) { return o instanceof ScanBody b && b.id == id; }
    @Override public int hashCode() { return id; }
    @Override public String toString() { return "body" + id; }
}
