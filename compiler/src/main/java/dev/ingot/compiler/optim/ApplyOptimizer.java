package dev.ingot.compiler.optim;

import dev.ingot.compiler.autodiff.Differentiate;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Provenance;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.pass.Pass;
import dev.ingot.compiler.pass.PassContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the {@code grad:NAME} outputs of {@link Differentiate} into parameter and optimizer-state
 * updates; the gradients stop being outputs, so they live only as long as the update needs them.
 */
public final class ApplyOptimizer implements Pass {
    private final Optimizer optimizer;
    private final Map<String, Double> hyper;
    private final Schedule schedule;

    public ApplyOptimizer(Optimizer optimizer, Map<String, Double> hyper, Schedule schedule) {
        this.optimizer = optimizer;
        this.hyper = hyper;
        this.schedule = schedule;
    }

    public String name() { return "optimizer-" + optimizer.name(); }

    public Graph run(Graph g, PassContext cx) {
        List<Node> params = new ArrayList<>(), grads = new ArrayList<>();
        List<Graph.Output> outs = new ArrayList<>();
        for (Graph.Output o : g.outputs()) {
            if (!o.name().startsWith(Differentiate.GRAD)) {
                outs.add(o);
                continue;
            }
            grads.add(o.node());
            params.add(paramNamed(g, o.name().substring(Differentiate.GRAD.length())));
        }
        GraphBuilder b = new GraphBuilder();
        List<Graph.Update> ups = new ArrayList<>(g.updates());
        b.at(new Provenance(params.isEmpty() ? dev.ingot.compiler.ir.SourceLoc.NONE : params.get(0).prov().loc(), Provenance.Role.UPDATE));
        optimizer.apply(b, params, grads, hyper, schedule.lr(b, hyper.get("lr"), ups), ups);
        return new Graph(g.name(), outs, ups);
    }

    private static Node paramNamed(Graph g, String name) {
        for (Node n : g.leaves(Ops.PARAM)) if (n.attrs().s("name").equals(name)) return n;
        throw new IllegalStateException("gradient of unknown parameter " + name);
    }
}
