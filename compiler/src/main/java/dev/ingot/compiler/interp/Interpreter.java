package dev.ingot.compiler.interp;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Leaf;
import dev.ingot.compiler.ops.Ops;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The float64 reference interpreter: runs a graph node by node with each op's {@code eval}. It is
 * the oracle of every test (gradient checks, generated-code checks) and the engine of constant
 * folding. Slow and simple on purpose.
 */
public final class Interpreter {
    private Interpreter() {}

    /** Values of every node of a run. */
    public record Result(Map<Node, double[]> values, Map<String, double[]> outputs, Map<String, double[]> updated) {
        public double[] output(String name) { return outputs.get(name); }
        public double scalar(String name) { return outputs.get(name)[0]; }
    }

    /**
     * Runs {@code g} with leaves bound by name ({@code inputs}: inputs, labels, params and state)
     * at batch size {@code batch}. Leaves without a binding: state takes its initial value; a
     * missing input or param is an error.
     */
    public static Result run(Graph g, Map<String, double[]> bindings, int batch) {
        Map<Node, double[]> v = new IdentityHashMap<>();
        for (Node n : g.topo()) {
            int[] shape = n.shape().concrete(batch);
            double[] r;
            if (n.op() instanceof Leaf) r = leaf(n, bindings, batch, shape);
            else {
                List<double[]> in = new ArrayList<>();
                List<int[]> shapes = new ArrayList<>();
                for (Node i : n.inputs()) {
                    in.add(v.get(i));
                    shapes.add(i.shape().concrete(batch));
                }
                r = n.op().eval(in, shapes, shape, n.attrs());
            }
            v.put(n, r);
        }
        Map<String, double[]> outs = new LinkedHashMap<>();
        for (Graph.Output o : g.outputs()) outs.put(o.name(), v.get(o.node()));
        Map<String, double[]> ups = new LinkedHashMap<>();
        for (Graph.Update u : g.updates()) ups.put(u.target().attrs().s("name"), v.get(u.value()));
        return new Result(v, outs, ups);
    }

    private static double[] leaf(Node n, Map<String, double[]> bindings, int batch, int[] shape) {
        int numel = 1;
        for (int d : shape) numel *= d;
        if (n.op() == Ops.CONST) {
            if (n.attrs().has("values")) return n.attrs().doubles("values");
            return new double[] {n.attrs().d("value")};
        }
        if (n.op() == Ops.BATCH_SIZE) return new double[] {batch};
        String name = n.attrs().s("name");
        double[] b = bindings.get(name);
        if (b == null && n.op() == Ops.STATE) {
            b = new double[numel];
            java.util.Arrays.fill(b, n.attrs().d("initial"));
            return b;
        }
        if (b == null) throw new IllegalArgumentException("no value bound for " + n.op().name() + " '" + name + "'");
        if (b.length < numel) throw new IllegalArgumentException(name + ": bound " + b.length + " values, need " + numel);
        return b.length == numel ? b : java.util.Arrays.copyOf(b, numel);
    }
}
