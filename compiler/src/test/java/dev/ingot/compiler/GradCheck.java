package dev.ingot.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ingot.compiler.autodiff.Differentiate;
import dev.ingot.compiler.interp.Interpreter;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import dev.ingot.compiler.ops.Broadcasting;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * The generic float64 gradient check: for {@code f} built over leaves of the given types, compares
 * {@code <v, J^T u>} from the autodiff pass with the central difference {@code <u, (f(x+hv) - f(x-hv)) / 2h>}
 * for a random cotangent u and a random direction v. F32 leaves are parameters (differentiated),
 * I32 and BOOL leaves are inputs (data).
 */
public final class GradCheck {
    private GradCheck() {}

    public static void check(String what, List<TensorType> types, BiFunction<GraphBuilder, List<Node>, Node> f,
                             double lo, double hi, boolean avoidZero, int intHi, long seed) {
        var rng = new SplittableRandom(seed);
        GraphBuilder b = new GraphBuilder();
        List<Node> leaves = new ArrayList<>();
        Map<String, double[]> x = new HashMap<>();
        for (int i = 0; i < types.size(); i++) {
            TensorType t = types.get(i);
            String name = "x" + i;
            int n = Broadcasting.numel(t.shape().concrete(2));
            double[] v = new double[n];
            for (int k = 0; k < n; k++) {
                if (t.dtype() == DType.I32) v[k] = rng.nextInt(intHi);
                else if (t.dtype() == DType.BOOL) v[k] = rng.nextBoolean() ? 1 : 0;
                else {
                    double s = lo + (hi - lo) * rng.nextDouble();
                    if (avoidZero && Math.abs(s) < 0.1) s = s < 0 ? -0.1 - rng.nextDouble() : 0.1 + rng.nextDouble();
                    v[k] = s;
                }
            }
            x.put(name, v);
            leaves.add(t.dtype() == DType.F32 ? b.param(name, t, dev.ingot.compiler.ir.Attrs.NONE) : b.input(name, t, "input"));
        }
        Node out = f.apply(b, leaves);
        int batch = 2;
        int outN = Broadcasting.numel(out.shape().concrete(batch));
        double[] u = new double[outN];
        for (int k = 0; k < outN; k++) u[k] = rng.nextDouble() * 2 - 1;
        // loss = sum(out * u)
        Node uNode = out.shape().isScalar() ? b.constant(u[0]) : b.constTensor(out.shape(), u);
        Node loss = b.sumAll(b.mul(out, uNode));
        Graph g = new Graph("check", List.of(new Graph.Output("loss", loss)), List.of());
        Graph withGrads = new Differentiate().run(g, dev.ingot.compiler.pass.PassContext.test());
        var res = Interpreter.run(withGrads, x, batch);
        double analytic = 0;
        Map<String, double[]> v = new HashMap<>();
        for (int i = 0; i < types.size(); i++) {
            if (types.get(i).dtype() != DType.F32) continue;
            String name = "x" + i;
            double[] dir = new double[x.get(name).length];
            for (int k = 0; k < dir.length; k++) dir[k] = rng.nextDouble() * 2 - 1;
            v.put(name, dir);
            double[] grad = res.output(Differentiate.GRAD + name);
            for (int k = 0; k < dir.length; k++) analytic += dir[k] * grad[k];
        }
        double h = 1e-5;
        double plus = Interpreter.run(g, shifted(x, v, h), batch).scalar("loss");
        double minus = Interpreter.run(g, shifted(x, v, -h), batch).scalar("loss");
        double numeric = (plus - minus) / (2 * h);
        assertEquals(numeric, analytic, 1e-6 + 1e-5 * Math.abs(numeric), what + ": <v, J^T u> vs central difference");
    }

    private static Map<String, double[]> shifted(Map<String, double[]> x, Map<String, double[]> v, double h) {
        Map<String, double[]> r = new HashMap<>();
        x.forEach((k, a) -> {
            double[] d = v.get(k);
            double[] c = a.clone();
            if (d != null) for (int i = 0; i < c.length; i++) c[i] += h * d[i];
            r.put(k, c);
        });
        return r;
    }
}
