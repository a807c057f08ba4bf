package dev.ingot.compiler.autodiff;

import dev.ingot.compiler.diag.CompileError;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Provenance;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.pass.Pass;
import dev.ingot.compiler.pass.PassContext;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode automatic differentiation as a graph-to-graph pass.
 *
 * <p>Input: a graph with an output named {@code loss} (a scalar). Output: the same graph plus one
 * output {@code grad:NAME} per parameter {@code NAME}. The gradient graph is made of ordinary
 * nodes, so it is simplified, fused and memory-planned like the forward graph.
 *
 * <p>Algorithm: walk the nodes in reverse topological order, skipping those that do not depend on
 * a parameter; for each node with an incoming gradient ask its op for the vector-Jacobian product
 * ({@link dev.ingot.compiler.ops.Op#vjp}); sum each input gradient down to the input's shape (the
 * gradient of broadcasting, handled here once for every op) and accumulate it. New nodes carry the
 * provenance of the node they differentiate, marked {@code backward}.
 */
public final class Differentiate implements Pass {
    public static final String LOSS = "loss";
    public static final String GRAD = "grad:";
    /**
     * Name prefix of the state leaf holding a parameter's gradient between the two halves of a split training
     * step ({@code computeGradients} writes {@code grad.NAME}, {@code applyUpdate} reads it); not model state
     * (not in the spec or in checkpoints).
     */
    public static final String GRAD_BUFFER = "grad.";

    private final Set<String> only;

    /** Gradients for every parameter of the graph. */
    public Differentiate() { this(null); }

    /** Gradients for the parameters named in {@code only} (null: all), e.g. the generator's in a GAN's generator step. */
    public Differentiate(Set<String> only) { this.only = only; }

    public String name() { return "differentiate"; }

    public Graph run(Graph g, PassContext cx) {
        Node loss = g.output(LOSS);
        List<Node> params = new ArrayList<>(g.leaves(Ops.PARAM));
        if (only != null) params.removeIf(p -> !only.contains(p.attrs().s("name")));
        GraphBuilder b = new GraphBuilder();
        Map<Node, Node> grads = gradients(b, loss, params);
        List<Graph.Output> outs = new ArrayList<>(g.outputs());
        for (Node p : params) {
            Node d = grads.get(p);
            if (d == null) d = b.broadcastTo(b.zero(), p.shape());   // unused parameter: zero gradient
            outs.add(new Graph.Output(GRAD + p.attrs().s("name"), d));
        }
        return new Graph(g.name(), outs, g.updates());
    }

    /** Gradients of scalar {@code y} with respect to each node of {@code wrt} (absent: no dependence). */
    public static Map<Node, Node> gradients(GraphBuilder b, Node y, List<Node> wrt) {
        if (!y.shape().isScalar()) throw new IllegalArgumentException("loss must be a scalar, got " + y.type());
        Graph fwd = new Graph("fwd", List.of(new Graph.Output("y", y)), List.of());
        List<Node> topo = fwd.topo();
        Set<Node> needed = dependsOn(topo, wrt);
        Map<Node, Node> grad = new IdentityHashMap<>();
        Map<Node, List<Node>> users = fwd.users();
        grad.put(y, b.one());
        for (int i = topo.size() - 1; i >= 0; i--) {
            Node n = topo.get(i);
            if (n.op() == Ops.SCAN_OUT || n.inputs().isEmpty() || !needed.contains(n)) continue;   // projections: their op takes them
            List<Node> dIns;
            Provenance saved = b.at(n.prov().backward());
            if (n.op() == Ops.SCAN) {
                // a multi-output op: gather the gradients of its projections by result index
                List<Node> proj = new ArrayList<>(), cot = new ArrayList<>();
                boolean any = false;
                for (Node u : users.getOrDefault(n, List.of())) {
                    int idx = u.attrs().i("index");
                    while (proj.size() <= idx) { proj.add(null); cot.add(null); }
                    proj.set(idx, u);
                    cot.set(idx, grad.get(u));
                    any |= grad.get(u) != null;
                }
                if (!any) { b.at(saved); continue; }
                dIns = ((dev.ingot.compiler.ops.Control) n.op()).vjpMulti(b, n, proj, cot);
            } else {
                Node dOut = grad.get(n);
                if (dOut == null) { b.at(saved); continue; }
                dIns = n.op().vjp(b, n, dOut);
            }
            if (dIns == null) throw new CompileError(n.prov().loc(), "no gradient for '" + n.op().name() + "'", "an op with a gradient rule");
            for (int k = 0; k < dIns.size(); k++) {
                Node in = n.in(k), d = dIns.get(k);
                if (d == null || !needed.contains(in) || in.dtype() != DType.F32) continue;
                d = b.unbroadcast(d, in.shape());
                if (in.hint() != null) d.hint("d_" + in.hint());
                Node prev = grad.get(in);
                grad.put(in, prev == null ? d : b.add(prev, d));
            }
            b.at(saved);
        }
        Map<Node, Node> r = new IdentityHashMap<>();
        for (Node w : wrt) if (grad.containsKey(w)) r.put(w, grad.get(w));
        return r;
    }

    /** Nodes from which some node of {@code wrt} is reachable (they carry gradient). */
    private static Set<Node> dependsOn(List<Node> topo, List<Node> wrt) {
        Set<Node> s = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        s.addAll(wrt);
        for (Node n : topo) {
            if (n.op() == Ops.STOP_GRADIENT) continue;
            for (Node i : n.inputs()) if (s.contains(i)) { s.add(n); break; }
        }
        return s;
    }

    /** Convenience for tests: the rebuilt copy of a graph's gradients. */
    public static Graph withGradients(Graph g) { return new Differentiate().run(Rewriter.rebuild(g, null).graph(), PassContext.test()); }
}
