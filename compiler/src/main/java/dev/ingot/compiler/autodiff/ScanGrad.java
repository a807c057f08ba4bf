package dev.ingot.compiler.autodiff;

import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ir.TensorType;
import dev.ingot.compiler.ops.Leaf;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.Scan;
import dev.ingot.compiler.ops.ScanBody;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Backpropagation through time for {@code scan}, derived by running autodiff on the loop body.
 *
 * <p>Algorithm ({@link #augment}, at compile time, once per scan in a training graph):
 * <ol>
 *   <li>Differentiate the body: with cotangent leaves for its outputs, take the gradient of
 *       {@code sum(out_i * ct_i)} with respect to its carries, scanned inputs and constants.</li>
 *   <li>Residuals: the forward values the gradient reads (e.g. the gates of an LSTM). The forward
 *       body is augmented to emit them, and the carries before each step, as extra per-step
 *       outputs: saved in one {@code [T, ...]} slab each instead of recomputed.</li>
 *   <li>The backward body: the gradient subgraph with residuals, carries-before-step and inputs
 *       as per-step inputs, the cotangents of the carries as its carries, and one more carry per
 *       constant that sums the constant's gradient over time.</li>
 * </ol>
 * {@link #vjp} then wires a reverse-direction scan of that body to the forward scan's results.
 */
public final class ScanGrad {
    private ScanGrad() {}

    /** The forward body with residual outputs and the backward body attached (see the class comment). */
    public static ScanBody augment(ScanBody fwd) {
        Rewriter.Rebuilt copy = Rewriter.rebuild(fwd.graph(), null);
        GraphBuilder b = copy.builder();
        Graph g = copy.graph();
        int nc = fwd.carries(), nx = fwd.xs(), nk = fwd.consts(), ny = fwd.ys();
        List<Node> outs = new ArrayList<>();
        for (Graph.Output o : g.outputs()) outs.add(o.node());
        List<Node> c = leaves(g, "c", nc), x = leaves(g, "x", nx), k = leaves(g, "k", nk);

        // 1. the body's vector-Jacobian product
        List<Node> ct = new ArrayList<>();
        Node loss = b.zero();
        for (int i = 0; i < outs.size(); i++) {
            Node o = outs.get(i);
            Node cot = b.input("ct" + i, o.type().withDType(DType.F32), "x");
            ct.add(cot);
            if (o.dtype() == DType.F32) loss = b.add(loss, b.sumAll(b.mul(o, cot)));
        }
        List<Node> wrt = new ArrayList<>();
        for (List<Node> group : List.of(c, x, k)) for (Node l : group) if (l != null && l.dtype() == DType.F32) wrt.add(l);
        Map<Node, Node> grads = Differentiate.gradients(b, loss, wrt);
        List<Node> dc = new ArrayList<>(), dk = new ArrayList<>(), dx = new ArrayList<>();
        List<TensorType> types = fwd.inputTypes();
        for (int i = 0; i < nc; i++) dc.add(gradOrZero(b, grads, c.get(i), types.get(i)));
        for (int m = 0; m < nk; m++) dk.add(gradOrZero(b, grads, k.get(m), types.get(nc + nx + m)));
        for (int j = 0; j < nx; j++) dx.add(gradOrZero(b, grads, x.get(j), types.get(nc + j)));

        // 2. residuals: forward values the backward nodes read
        Set<Node> forward = Collections.newSetFromMap(new IdentityHashMap<>());
        forward.addAll(g.topo());
        List<Node> bwdOuts = new ArrayList<>(dc);
        bwdOuts.addAll(dk);
        bwdOuts.addAll(dx);
        Graph bwd = new Graph("bwd", named(bwdOuts), List.of());
        Set<Node> residuals = new LinkedHashSet<>();
        for (Node n : bwd.topo()) {
            if (forward.contains(n)) continue;
            for (Node i : n.inputs()) if (forward.contains(i) && isResidual(i)) residuals.add(i);
        }
        for (Node o : bwdOuts) if (forward.contains(o) && isResidual(o)) residuals.add(o);
        List<Node> res = new ArrayList<>(residuals);

        // 3. the backward body: leaves renamed to the scan-body convention
        Map<Node, String> rename = new IdentityHashMap<>();
        for (int i = 0; i < nc; i++) rename.put(ct.get(i), "c" + i);                           // cotangents of the carries
        for (int l = 0; l < ny; l++) rename.put(ct.get(nc + l), "x" + l);                      // cotangents of this step's outputs
        for (int q = 0; q < res.size(); q++) rename.put(res.get(q), "x" + (ny + q));           // residuals
        for (int i = 0; i < nc; i++) if (c.get(i) != null) rename.put(c.get(i), "x" + (ny + res.size() + i)); // carries before the step
        for (int j = 0; j < nx; j++) if (x.get(j) != null) rename.put(x.get(j), "x" + (ny + res.size() + nc + j));
        for (int m = 0; m < nk; m++) if (k.get(m) != null) rename.put(k.get(m), "k" + m);
        Rewriter.Rebuilt r = Rewriter.rebuild(bwd, (nb, old, ins) -> rename.containsKey(old) ? nb.input(rename.get(old), old.type(), "x") : null);
        // the backward body's input types, in scan order: carries (cotangents, sums), per-step (cotangents, residuals, carries, inputs), constants
        List<TensorType> bt = new ArrayList<>();
        for (int i = 0; i < nc; i++) bt.add(types.get(i).withDType(DType.F32));
        for (int m = 0; m < nk; m++) bt.add(dk.get(m).type());
        for (int l = 0; l < ny; l++) bt.add(outs.get(nc + l).type().withDType(DType.F32));
        for (Node q : res) bt.add(q.type());
        for (int i = 0; i < nc; i++) bt.add(types.get(i));
        for (int j = 0; j < nx; j++) bt.add(types.get(nc + j));
        for (int m = 0; m < nk; m++) bt.add(types.get(nc + nx + m));
        GraphBuilder nb = r.builder();
        List<Graph.Output> bo = new ArrayList<>();
        for (int i = 0; i < nc; i++) bo.add(new Graph.Output("dc" + i, r.map().get(dc.get(i))));
        for (int m = 0; m < nk; m++) {
            Node acc = nb.input("c" + (nc + m), dk.get(m).type(), "x");
            bo.add(new Graph.Output("acc" + m, nb.add(acc, r.map().get(dk.get(m)))));
        }
        for (int j = 0; j < nx; j++) bo.add(new Graph.Output("dx" + j, r.map().get(dx.get(j))));
        ScanBody backward = new ScanBody(new Graph("scan_bwd", bo, List.of()), nc + nk, ny + res.size() + nc + nx, nk, null, bt);

        // the augmented forward body: original outputs, residuals, carries before the step
        List<Graph.Output> fo = new ArrayList<>(g.outputs());
        for (int q = 0; q < res.size(); q++) fo.add(new Graph.Output("res" + q, res.get(q)));
        for (int i = 0; i < nc; i++) fo.add(new Graph.Output("cin" + i, c.get(i) != null ? c.get(i) : b.input("c" + i, outs.get(i).type(), "x")));
        ScanBody.ScanGradPlan plan = new ScanBody.ScanGradPlan(ny, res.size(), backward, null, null);
        return new ScanBody(new Graph(fwd.graph().name(), fo, List.of()), nc, nx, nk, plan, types);
    }

    /**
     * The gradient of an augmented scan's inputs from the cotangents of its results: a scan of the
     * backward body in the opposite direction over the saved residuals.
     */
    public static List<Node> vjp(GraphBuilder g, Node scan, List<Node> projections, List<Node> cotangents) {
        ScanBody body = (ScanBody) scan.attrs().map().get("body");
        ScanBody.ScanGradPlan plan = body.grad();
        if (plan == null) throw new IllegalStateException("scan " + body + " was not augmented for gradients (AugmentScans must run before Differentiate)");
        int nc = body.carries(), nx = body.xs(), nk = body.consts(), ny = plan.originalYs(), nr = plan.residuals();
        int t = scan.attrs().i("length");
        List<TensorType> types = Scan.resultTypes(body, t);
        List<Node> in = new ArrayList<>();
        for (int i = 0; i < nc; i++) in.add(orZero(g, at(cotangents, i), types.get(i)));
        for (int m = 0; m < nk; m++) in.add(zero(g, scan.in(nc + nx + m).type()));
        for (int l = 0; l < ny; l++) in.add(orZero(g, at(cotangents, nc + l), types.get(nc + l)));
        for (int q = 0; q < nr + nc; q++) in.add(projection(g, scan, projections, nc + ny + q, types));
        for (int j = 0; j < nx; j++) in.add(scan.in(nc + j));
        for (int m = 0; m < nk; m++) in.add(scan.in(nc + nx + m));
        List<Node> outs = Scan.build(g, plan.backward(), in, t, !scan.attrs().b("reverse"));
        List<Node> grads = new ArrayList<>();
        for (int i = 0; i < nc; i++) grads.add(outs.get(i));
        for (int j = 0; j < nx; j++) grads.add(outs.get(nc + nk + j));
        for (int m = 0; m < nk; m++) grads.add(outs.get(nc + m));
        return grads;
    }

    private static Node at(List<Node> l, int i) { return i < l.size() ? l.get(i) : null; }

    private static Node projection(GraphBuilder g, Node scan, List<Node> projections, int index, List<TensorType> types) {
        Node p = index < projections.size() ? projections.get(index) : null;
        if (p != null) return p;
        return g.node(Ops.SCAN_OUT, dev.ingot.compiler.ir.Attrs.of("index", index, "dtype", types.get(index).dtype().name(), "shape", types.get(index).shape().dims()), scan);
    }

    private static boolean isResidual(Node n) { return !(n.op() instanceof Leaf); }

    private static Node gradOrZero(GraphBuilder b, Map<Node, Node> grads, Node leaf, TensorType type) {
        if (leaf != null && grads.containsKey(leaf)) return grads.get(leaf);
        return b.broadcastTo(b.zero(), type.shape());
    }

    private static Node orZero(GraphBuilder g, Node cot, TensorType t) { return cot != null ? cot : zero(g, t); }

    private static Node zero(GraphBuilder g, TensorType t) { return g.broadcastTo(g.zero(), t.shape()); }

    private static List<Node> leaves(Graph g, String prefix, int n) {
        List<Node> r = new ArrayList<>();
        for (int i = 0; i < n; i++) r.add(Rewriter.leaf(g, prefix + i));
        return r;
    }

    private static List<Graph.Output> named(List<Node> ns) {
        List<Graph.Output> r = new ArrayList<>();
        for (int i = 0; i < ns.size(); i++) r.add(new Graph.Output("o" + i, ns.get(i)));
        return r;
    }
}
