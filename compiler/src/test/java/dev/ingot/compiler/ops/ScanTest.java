package dev.ingot.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ingot.compiler.autodiff.Differentiate;
import dev.ingot.compiler.interp.Interpreter;
import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import dev.ingot.compiler.pass.AugmentScans;
import dev.ingot.compiler.pass.PassContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A scan against the same computation unrolled, in the float64 interpreter: forward values and the
 * gradients of every input (initial state, the sequence, the weights), forwards and reversed. The
 * cell is an Elman RNN, {@code h' = tanh(x W + h U + b)}, emitting {@code h'} and {@code 2 h'} per step.
 */
class ScanTest {
    static final int B = 3, T = 5, F = 4, H = 6;

    /** Builds the loss on leaves h0 [B,H], xs [T,B,F], W, U, b, with the scan or unrolled. */
    static Node loss(GraphBuilder g, boolean unrolled, boolean reverse, Map<String, Node> leaves) {
        Node h0 = g.param("h0", TensorType.f32(B, H), Attrs.NONE), xs = g.param("xs", TensorType.f32(T, B, F), Attrs.NONE);
        Node w = g.param("w", TensorType.f32(F, H), Attrs.NONE), u = g.param("u", TensorType.f32(H, H), Attrs.NONE), bias = g.param("b", TensorType.f32(H), Attrs.NONE);
        Node r1 = g.constTensor(Shape.of(T, B, H), random(T * B * H, 3)), r2 = g.constTensor(Shape.of(B, H), random(B * H, 4));
        Node r3 = g.constTensor(Shape.of(T, B, H), random(T * B * H, 5));
        leaves.put("h0", h0);
        Node hT, ys, zs;
        if (unrolled) {
            Node h = h0;
            Node[] yt = new Node[T], zt = new Node[T];
            for (int s = 0; s < T; s++) {
                int t = reverse ? T - 1 - s : s;
                Node x = g.reshape(g.node(Ops.SLICE, Attrs.of("begin", new int[] {t, 0, 0}, "end", new int[] {t + 1, B, F}), xs), Shape.of(B, F));
                h = cell(g, h, x, w, u, bias);
                yt[t] = g.reshape(h, Shape.of(1, B, H));
                zt[t] = g.reshape(g.mul(h, 2), Shape.of(1, B, H));
            }
            hT = h;
            ys = g.node(Ops.CONCAT, List.of(yt), Attrs.of("axis", 0));
            zs = g.node(Ops.CONCAT, List.of(zt), Attrs.of("axis", 0));
        } else {
            GraphBuilder bb = new GraphBuilder();
            Node c = bb.input("c0", TensorType.f32(B, H), "x"), x = bb.input("x0", TensorType.f32(B, F), "x");
            Node kw = bb.input("k0", w.type(), "x"), ku = bb.input("k1", u.type(), "x"), kb = bb.input("k2", bias.type(), "x");
            Node h = cell(bb, c, x, kw, ku, kb);
            ScanBody body = new ScanBody(new Graph("cell", List.of(new Graph.Output("h", h), new Graph.Output("y", h), new Graph.Output("z", bb.mul(h, 2))), List.of()),
                    1, 1, 3, null, List.of(c.type(), x.type(), kw.type(), ku.type(), kb.type()));
            List<Node> outs = Scan.build(g, body, List.of(h0, xs, w, u, bias), T, reverse);
            hT = outs.get(0);
            ys = outs.get(1);
            zs = outs.get(2);
        }
        return g.add(g.add(g.sumAll(g.mul(ys, r1)), g.sumAll(g.mul(hT, r2))), g.sumAll(g.mul(zs, r3)));
    }

    static Node cell(GraphBuilder g, Node h, Node x, Node w, Node u, Node b) {
        return g.tanh(g.add(g.add(g.matmul(x, w, false, false), g.matmul(h, u, false, false)), b));
    }

    static double[] random(int n, long seed) {
        var r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble() * 2 - 1;
        return v;
    }

    /** The generated loop (vector and scalar code): loss and, through one SGD step at rate 1, every gradient. */
    @ParameterizedTest(name = "reverse={0}")
    @ValueSource(booleans = {false, true})
    void generatedLoopMatchesTheInterpreter(boolean reverse) {
        Map<String, double[]> values = values();
        GraphBuilder g = new GraphBuilder();
        Map<String, Node> leaves = new HashMap<>();
        Node l = loss(g, false, reverse, leaves);
        Graph graph = new AugmentScans().run(new Graph("f", List.of(new Graph.Output("loss", l)), List.of()), PassContext.test());
        var want = Interpreter.run(new Differentiate().run(graph, PassContext.test()), values, 1);
        List<Node> params = new ArrayList<>();
        for (Node n : graph.leaves(Ops.PARAM)) params.add(g.param(n.attrs().s("name"), n.type(), Attrs.of("kind", "zeros")));
        for (boolean vector : new boolean[] {true, false}) {
            var m = dev.ingot.compiler.codegen.Harness.build("scan", List.of(), params, Map.of("total", g.reshape(l, Shape.of(1))), l, vector, 1);
            for (Node p : params) copy(values.get(p.attrs().s("name")), m.param(p.attrs().s("name")));
            m.predict(1);
            assertEquals(want.scalar("loss"), m.output(0)[0], 1e-4 * Math.abs(want.scalar("loss")), "loss (predict)");
            assertEquals(want.scalar("loss"), m.trainStep(1), 1e-4 * Math.abs(want.scalar("loss")), "loss (trainStep)");
            for (Node p : params) {
                String name = p.attrs().s("name");
                double[] grad = want.output(Differentiate.GRAD + name), before = values.get(name);
                float[] after = m.param(name);
                for (int i = 0; i < grad.length; i++) assertEquals(grad[i], before[i] - after[i], 1e-4 + 1e-4 * Math.abs(grad[i]), "gradient of " + name + "[" + i + "] vector=" + vector);
            }
        }
    }

    static void copy(double[] src, float[] dst) {
        for (int i = 0; i < src.length; i++) dst[i] = (float) src[i];
    }

    static Map<String, double[]> values() {
        Map<String, double[]> values = new HashMap<>();
        values.put("h0", random(B * H, 10));
        values.put("xs", random(T * B * F, 11));
        values.put("w", random(F * H, 12));
        values.put("u", random(H * H, 13));
        values.put("b", random(H, 14));
        return values;
    }

    @ParameterizedTest(name = "reverse={0}")
    @ValueSource(booleans = {false, true})
    void scanMatchesTheUnrolledGraph(boolean reverse) {
        Map<String, double[]> values = values();
        List<Interpreter.Result> results = new ArrayList<>();
        for (boolean unrolled : new boolean[] {true, false}) {
            GraphBuilder g = new GraphBuilder();
            Node l = loss(g, unrolled, reverse, new HashMap<>());
            Graph graph = new Graph("f", List.of(new Graph.Output("loss", l)), List.of());
            graph = new AugmentScans().run(graph, PassContext.test());
            results.add(Interpreter.run(new Differentiate().run(graph, PassContext.test()), values, 1));
        }
        assertEquals(results.get(0).scalar("loss"), results.get(1).scalar("loss"), 1e-12, "loss");
        for (String p : List.of("h0", "xs", "w", "u", "b")) {
            double[] a = results.get(0).output(Differentiate.GRAD + p), b = results.get(1).output(Differentiate.GRAD + p);
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-12, "gradient of " + p + "[" + i + "]");
        }
    }
}
