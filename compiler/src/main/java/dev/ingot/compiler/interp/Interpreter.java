package dev.ingot.compiler.interp;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Leaf;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ScanBody;
import java.util.HashMap;
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
        Map<Node, List<double[]>> scans = new IdentityHashMap<>();
        for (Node n : g.topo()) {
            int[] shape = n.shape().concrete(batch);
            double[] r;
            if (n.op() instanceof Leaf) r = leaf(n, bindings, batch, shape);
            else if (n.op() == Ops.SCAN) {
                scans.put(n, scan(n, v, batch));
                r = new double[1];
            } else if (n.op() == Ops.SCAN_OUT) r = scans.get(n.in(0)).get(n.attrs().i("index"));
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

    /** Runs a scan step by step with the body graph; returns its results (final carries, stacked outputs). */
    private static List<double[]> scan(Node n, Map<Node, double[]> v, int batch) {
        ScanBody body = (ScanBody) n.attrs().map().get("body");
        int t = n.attrs().i("length");
        boolean reverse = n.attrs().b("reverse");
        int nc = body.carries(), nx = body.xs(), nk = body.consts();
        Map<String, double[]> bind = new HashMap<>();
        double[][] carries = new double[nc][];
        for (int i = 0; i < nc; i++) carries[i] = v.get(n.in(i));
        for (int m = 0; m < nk; m++) bind.put("k" + m, v.get(n.in(nc + nx + m)));
        int outs = body.graph().outputs().size();
        double[][] stacked = new double[outs - nc][];
        for (int step = 0; step < t; step++) {
            int ti = reverse ? t - 1 - step : step;
            for (int i = 0; i < nc; i++) bind.put("c" + i, carries[i]);
            for (int j = 0; j < nx; j++) {
                double[] xs = v.get(n.in(nc + j));
                int per = xs.length / t;
                bind.put("x" + j, java.util.Arrays.copyOfRange(xs, ti * per, (ti + 1) * per));
            }
            Result r = run(body.graph(), bind, batch);
            for (int i = 0; i < nc; i++) carries[i] = r.values().get(body.graph().outputs().get(i).node());
            for (int l = 0; l < outs - nc; l++) {
                double[] y = r.values().get(body.graph().outputs().get(nc + l).node());
                if (stacked[l] == null) stacked[l] = new double[y.length * t];
                System.arraycopy(y, 0, stacked[l], ti * y.length, y.length);
            }
        }
        List<double[]> res = new ArrayList<>(java.util.Arrays.asList(carries));
        res.addAll(java.util.Arrays.asList(stacked));
        return res;
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
