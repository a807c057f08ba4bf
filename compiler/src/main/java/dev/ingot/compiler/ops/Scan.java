package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * A loop over time, never unrolled: {@code scan(body, init carries..., xs..., consts...)} with
 * attributes {@code body} ({@link ScanBody}), {@code length} T and {@code reverse}.
 * <pre>
 *   carry = init
 *   for t in 0..T-1 (or T-1..0 when reverse):
 *       carry, y[t] = body(carry, xs[t], consts)
 *   results: final carry..., stacked y...        (one scan_out node each)
 * </pre>
 * Scanned inputs and stacked outputs are time-major ({@code [T, batch, ...]}), so each step's slice
 * is contiguous. The scan node itself has a placeholder type; its results are the
 * {@link ScanOut} projections.
 * <p>Backward (backpropagation through time): {@code AugmentScans} first makes the forward body
 * also emit the intermediate values its gradient needs (residuals) and the carry before each step;
 * {@link #vjpMulti} then builds a scan running in the opposite direction over those, whose body is
 * the autodiff of the forward body ({@code ScanGrad}). Gradients of the constants (the weights)
 * are summed over time as carries of the backward scan.
 */
public final class Scan implements Control {
    public String name() { return "scan"; }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        ScanBody body = (ScanBody) a.map().get("body");
        int t = a.i("length");
        if (in.size() != body.carries() + body.xs() + body.consts())
            throw new ShapeError("scan: " + in.size() + " inputs for a body with " + body.carries() + " carries, " + body.xs() + " inputs and " + body.consts() + " constants");
        for (int i = 0; i < in.size(); i++) {
            TensorType want = body.inputTypes().get(i);
            if (i >= body.carries() && i < body.carries() + body.xs()) want = stacked(want, t);
            if (!in.get(i).equals(want)) throw new ShapeError("scan: input " + i + " is " + in.get(i) + " but the step expects " + want);
        }
        for (int i = 0; i < body.carries(); i++) {
            TensorType out = body.graph().outputs().get(i).node().type();
            if (!out.equals(in.get(i))) throw new ShapeError("scan: the step returns its state " + i + " as " + out + " but it starts as " + in.get(i) + "; the state must keep its shape");
        }
        return TensorType.F32_SCALAR;
    }

    /** {@code [T, ...]} of a per-step type. */
    public static TensorType stacked(TensorType step, int t) {
        int[] d = new int[step.rank() + 1];
        d[0] = t;
        System.arraycopy(step.shape().dims(), 0, d, 1, step.rank());
        return step.withShape(new Shape(d));
    }

    /** The types of a scan's results: final carries, then stacked per-step outputs. */
    public static List<TensorType> resultTypes(ScanBody body, int t) {
        List<TensorType> r = new ArrayList<>();
        var outs = body.graph().outputs();
        for (int i = 0; i < outs.size(); i++) r.add(i < body.carries() ? outs.get(i).node().type() : stacked(outs.get(i).node().type(), t));
        return r;
    }

    /** Builds a scan and its result projections. */
    public static List<Node> build(GraphBuilder b, ScanBody body, List<Node> inputs, int length, boolean reverse) {
        Node s = b.node(Ops.SCAN, inputs, Attrs.of("body", body, "length", length, "reverse", reverse));
        List<Node> r = new ArrayList<>();
        List<TensorType> types = resultTypes(body, length);
        for (int i = 0; i < types.size(); i++) r.add(ScanOut.of(b, s, i, types.get(i)));
        return r;
    }

    public List<Node> vjp(GraphBuilder g, Node out, Node dOut) { return null; }

    @Override public List<Node> vjpMulti(GraphBuilder g, Node scan, List<Node> projections, List<Node> cotangents) {
        return dev.ingot.compiler.autodiff.ScanGrad.vjp(g, scan, projections, cotangents);
    }

    public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        throw new UnsupportedOperationException("the interpreter runs scans itself");
    }
}
