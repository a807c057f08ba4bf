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

        // 1b. weight and bias gradients: sum once over all steps after the loop (one big matmul) instead
        // of accumulating a [out, in] matrix at every step; whatever else remains is accumulated
        List<Node> hoistOuts = new ArrayList<>();
        List<List<ScanBody.HoistedTerm>> hoisted = new ArrayList<>();
        List<Node> remaining = new ArrayList<>();
        for (int m = 0; m < nk; m++) {
            List<ScanBody.HoistedTerm> terms = new ArrayList<>();
            Node rest = null;
            for (Node t : addTerms(dk.get(m))) {
                ScanBody.HoistedTerm h = hoist(t, hoistOuts);
                if (h != null) terms.add(h);
                else rest = rest == null ? t : b.add(rest, t);
            }
            hoisted.add(terms);
            remaining.add(rest);
        }
        int[] accCarry = new int[nk];
        int nacc = 0;
        for (int m = 0; m < nk; m++) accCarry[m] = remaining.get(m) == null ? -1 : nc + nacc++;

        // 2. residuals: forward values the backward nodes read
        Set<Node> forward = Collections.newSetFromMap(new IdentityHashMap<>());
        forward.addAll(g.topo());
        List<Node> bwdOuts = new ArrayList<>(dc);
        for (Node rm : remaining) if (rm != null) bwdOuts.add(rm);
        bwdOuts.addAll(dx);
        bwdOuts.addAll(hoistOuts);
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
        for (int m = 0; m < nk; m++) if (accCarry[m] >= 0) bt.add(dk.get(m).type());
        for (int l = 0; l < ny; l++) bt.add(outs.get(nc + l).type().withDType(DType.F32));
        for (Node q : res) bt.add(q.type());
        for (int i = 0; i < nc; i++) bt.add(types.get(i));
        for (int j = 0; j < nx; j++) bt.add(types.get(nc + j));
        for (int m = 0; m < nk; m++) bt.add(types.get(nc + nx + m));
        GraphBuilder nb = r.builder();
        List<Graph.Output> bo = new ArrayList<>();
        for (int i = 0; i < nc; i++) bo.add(new Graph.Output("dc" + i, r.map().get(dc.get(i))));
        for (int m = 0; m < nk; m++) {
            if (accCarry[m] < 0) continue;
            Node acc = nb.input("c" + accCarry[m], dk.get(m).type(), "x");
            bo.add(new Graph.Output("acc" + m, nb.add(acc, r.map().get(remaining.get(m)))));
        }
        for (int j = 0; j < nx; j++) bo.add(new Graph.Output("dx" + j, r.map().get(dx.get(j))));
        for (int h = 0; h < hoistOuts.size(); h++) bo.add(new Graph.Output("hoist" + h, r.map().get(hoistOuts.get(h))));
        ScanBody backward = new ScanBody(new Graph("scan_bwd", bo, List.of()), nc + nacc, ny + res.size() + nc + nx, nk, null, bt);

        // the augmented forward body: original outputs, residuals, carries before the step
        List<Graph.Output> fo = new ArrayList<>(g.outputs());
        for (int q = 0; q < res.size(); q++) fo.add(new Graph.Output("res" + q, res.get(q)));
        for (int i = 0; i < nc; i++) fo.add(new Graph.Output("cin" + i, c.get(i) != null ? c.get(i) : b.input("c" + i, outs.get(i).type(), "x")));
        ScanBody.ScanGradPlan plan = new ScanBody.ScanGradPlan(ny, res.size(), backward, accCarry, hoisted);
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
        for (int m = 0; m < nk; m++) if (plan.accCarry()[m] >= 0) in.add(zero(g, scan.in(nc + nx + m).type()));
        for (int l = 0; l < ny; l++) in.add(orZero(g, at(cotangents, nc + l), types.get(nc + l)));
        for (int q = 0; q < nr + nc; q++) in.add(projection(g, scan, projections, nc + ny + q, types));
        for (int j = 0; j < nx; j++) in.add(scan.in(nc + j));
        for (int m = 0; m < nk; m++) in.add(scan.in(nc + nx + m));
        List<Node> outs = Scan.build(g, plan.backward(), in, t, !scan.attrs().b("reverse"));
        int carries = plan.backward().carries();
        List<Node> grads = new ArrayList<>();
        for (int i = 0; i < nc; i++) grads.add(outs.get(i));
        for (int j = 0; j < nx; j++) grads.add(outs.get(carries + j));
        for (int m = 0; m < nk; m++) {
            Node sum = plan.accCarry()[m] >= 0 ? outs.get(plan.accCarry()[m]) : null;
            for (ScanBody.HoistedTerm h : plan.hoisted().get(m)) {
                Node term = hoistedTerm(g, h, outs.get(carries + nx + h.p()), h.matmul() ? outs.get(carries + nx + h.q()) : null);
                sum = sum == null ? term : g.add(sum, term);
            }
            grads.add(sum != null ? sum : zero(g, scan.in(nc + nx + m).type()));
        }
        return grads;
    }

    /** Terms of a sum (through nested adds). */
    private static List<Node> addTerms(Node n) {
        List<Node> r = new ArrayList<>();
        if (n.op() == Ops.ADD && n.in(0).shape().equals(n.shape()) && n.in(1).shape().equals(n.shape())) {
            r.addAll(addTerms(n.in(0)));
            r.addAll(addTerms(n.in(1)));
        } else r.add(n);
        return r;
    }

    /**
     * A gradient term that can be summed over time after the loop: {@code matmul(P, Q, transA)} of
     * two per-step [batch, ...] values, or {@code sum(P, axis 0)} over the batch (possibly reshaped);
     * its operands are added to {@code outs}. Null when the term must be accumulated in the loop.
     */
    private static ScanBody.HoistedTerm hoist(Node t, List<Node> outs) {
        Node base = t;
        while (base.op() == Ops.RESHAPE) base = base.in(0);
        if (base.shape().hasBatch()) return null;
        if (base.op() == Ops.MATMUL && base.attrs().b("transA") && !base.attrs().b("transB")
                && base.in(0).shape().rank() == 2 && base.in(1).shape().rank() == 2
                && base.in(0).shape().batchAxis() == 0 && base.in(1).shape().batchAxis() == 0) {
            return new ScanBody.HoistedTerm(true, index(outs, base.in(0)), index(outs, base.in(1)), t.shape().dims());
        }
        if (base.op() == Ops.SUM && java.util.Arrays.equals(base.attrs().ints("axes"), new int[] {0}) && base.in(0).shape().batchAxis() == 0) {
            return new ScanBody.HoistedTerm(false, index(outs, base.in(0)), -1, t.shape().dims());
        }
        return null;
    }

    private static int index(List<Node> outs, Node n) {
        for (int i = 0; i < outs.size(); i++) if (outs.get(i) == n) return i;
        outs.add(n);
        return outs.size() - 1;
    }

    /** A hoisted term over the stacked [T, batch, ...] outputs: steps and examples merged into one axis. */
    private static Node hoistedTerm(GraphBuilder g, ScanBody.HoistedTerm h, Node p, Node q) {
        Node pm = g.reshape(p, merged(p.shape()));
        Node r;
        if (h.matmul()) r = g.matmul2d(pm, g.reshape(q, merged(q.shape())), true, false);
        else r = g.sum(pm, new int[] {0}, false);
        return g.reshape(r, new dev.ingot.compiler.ir.Shape(h.shape()));
    }

    /** [T, batch, rest...] -> [T*batch, rest...]. */
    private static dev.ingot.compiler.ir.Shape merged(dev.ingot.compiler.ir.Shape s) {
        int[] d = new int[s.rank() - 1];
        d[0] = s.dim(0) * s.dim(1);          // a batch dimension is negative: T * (-1) = -T, i.e. T*batch
        for (int i = 2; i < s.rank(); i++) d[i - 1] = s.dim(i);
        return new dev.ingot.compiler.ir.Shape(d);
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
