package dev.ingot.compiler.optim;

import dev.ingot.compiler.autodiff.Differentiate;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Provenance;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.pass.Pass;
import dev.ingot.compiler.pass.PassContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the {@code grad:NAME} outputs of {@link Differentiate} into parameter and optimizer-state
 * updates; the gradients stop being outputs, so they live only as long as the update needs them.
 * Their global norm becomes the output {@link #GRAD_NORM}.
 */
public final class ApplyOptimizer implements Pass {
    /** The output of a training step that holds the global L2 norm of its gradients (before clipping). */
    public static final String GRAD_NORM = "grad_norm";

    private final Optimizer optimizer;
    private final Map<String, Double> hyper;
    private final Schedule schedule;
    private final double clipNorm;
    private final List<Node> knownParams;

    /** @param clipNorm clip the gradients to this global norm first (PyTorch's clip_grad_norm_); 0: no clipping */
    public ApplyOptimizer(Optimizer optimizer, Map<String, Double> hyper, Schedule schedule, double clipNorm) {
        this(optimizer, hyper, schedule, clipNorm, List.of());
    }

    /**
     * @param params the parameters, for a graph that does not reach them: the {@code applyUpdate} entry point,
     *               whose {@code grad:NAME} outputs are the gradient buffers ({@link Differentiate#GRAD_BUFFER})
     */
    public ApplyOptimizer(Optimizer optimizer, Map<String, Double> hyper, Schedule schedule, double clipNorm, List<Node> params) {
        this.knownParams = List.copyOf(params);
        this.optimizer = optimizer;
        this.hyper = hyper;
        this.schedule = schedule;
        this.clipNorm = clipNorm;
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
        if (!grads.isEmpty()) {
            // the global norm over every gradient: an output the trainer watches (a NaN or infinite gradient stops the run)
            Node sq = null;
            for (Node gr : grads) {
                // as rows, so that the square joins the sum (a row kernel): the gradient is read once, nothing is
                // stored; a large gradient as many rows, summed in parallel, then their sums in order
                int numel = Math.toIntExact(gr.shape().numel().constant()), cols = normRow(numel);
                Node rows = b.reshape(gr, Shape.of(numel / cols, cols));
                Node s2 = b.sumAll(b.sum(b.mul(rows, rows), new int[] {1}, true));
                sq = sq == null ? s2 : b.add(sq, s2);
            }
            Node norm = b.sqrt(sq);
            outs.add(new Graph.Output(GRAD_NORM, norm));
            if (clipNorm > 0) {
                // scale = min(1, clip / (norm + 1e-6)), as torch.nn.utils.clip_grad_norm_
                Node scale = b.minimum(b.one(), b.div(b.constant(clipNorm), b.add(norm, b.constant(1e-6))));
                grads.replaceAll(gr -> b.mul(gr, scale));
            }
        }
        optimizer.apply(b, params, grads, hyper, schedule.lr(b, hyper.get("lr"), ups), ups);
        return new Graph(g.name(), outs, ups);
    }

    /**
     * Row length for the sum of squares of a gradient of {@code numel} elements: all of it when small;
     * otherwise a divisor between 1,024 and 16,384 (nearest 4,096), so that a million-element gradient is
     * hundreds of rows the pool shares rather than one row on one thread.
     */
    static int normRow(int numel) {
        if (numel < 1 << 16) return numel;
        int best = numel;
        for (int c = 1024; c <= 16384; c++)
            if (numel % c == 0 && Math.abs(c - 4096) < Math.abs(best - 4096)) best = c;
        return best;
    }

    private Node paramNamed(Graph g, String name) {
        for (Node n : g.leaves(Ops.PARAM)) if (n.attrs().s("name").equals(name)) return n;
        for (Node n : knownParams) if (n.attrs().s("name").equals(name)) return n;
        throw new IllegalStateException("gradient of unknown parameter " + name);
    }
}
