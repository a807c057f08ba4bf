package dev.ingot.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ingot.compiler.autodiff.Differentiate;
import dev.ingot.compiler.interp.Interpreter;
import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import dev.ingot.compiler.ops.Broadcasting;
import dev.ingot.compiler.ops.Leaf;
import dev.ingot.compiler.ops.Library;
import dev.ingot.compiler.ops.Op;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.TestSpec;
import dev.ingot.compiler.pass.PassContext;
import dev.ingot.runtime.model.CompiledModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The float32 generated code against the float64 interpreter, for every op of the catalog (each
 * case of its test spec), forward and gradient, with the Vector API and with plain scalar code.
 * Each case is also run with a batch dimension in front ({@code [batch, ...]}), at batch sizes that
 * are not multiples of the vector length.
 */
class GeneratedVsInterpreterTest {
    static Stream<Arguments> cases() {
        List<Arguments> r = new ArrayList<>();
        for (Op op : Ops.all()) {
            if (op instanceof Leaf || op.testSpec() == null) continue;
            List<TestSpec.Case> cs = op.testSpec().cases();
            for (int i = 0; i < cs.size(); i++)
                for (boolean vector : new boolean[] {true, false}) r.add(Arguments.of(op.name(), i, vector));
        }
        return r.stream();
    }

    @ParameterizedTest(name = "{0} case {1} vector={2}")
    @MethodSource("cases")
    void matchesInterpreter(String opName, int caseIndex, boolean vector) {
        Op op = Ops.byName(opName);
        TestSpec spec = op.testSpec();
        TestSpec.Case c = spec.cases().get(caseIndex);
        run(op, spec, c.inputs(), c.attrs(), vector, 1, 1, false);
        // batched (forward only: parameters have no batch dimension): a batch dimension in front of
        // the inputs of highest rank; ops whose attributes name shapes or axes are skipped
        if (!c.attrs().has("shape") && !c.attrs().has("perm") && !c.attrs().has("axes") && op != Ops.MATMUL && op != Ops.GATHER && !(op instanceof Library)) {
            int maxRank = c.inputs().stream().mapToInt(TensorType::rank).max().orElse(0);
            List<TensorType> batched = new ArrayList<>();
            for (TensorType t : c.inputs()) {
                if (t.rank() < maxRank) {
                    batched.add(t);
                    continue;
                }
                int[] d = new int[t.rank() + 1];
                d[0] = Shape.BATCH;
                System.arraycopy(t.shape().dims(), 0, d, 1, t.rank());
                batched.add(t.withShape(new Shape(d)));
            }
            run(op, spec, batched, c.attrs(), vector, 37, 37, true);
            run(op, spec, batched, c.attrs(), vector, 37, 5, true);
        }
    }

    private static void run(Op op, TestSpec spec, List<TensorType> types, Attrs attrs, boolean vector, int maxBatch, int batch, boolean asInputs) {
        var rng = new SplittableRandom(11);
        GraphBuilder b = new GraphBuilder();
        List<Node> inputs = new ArrayList<>(), params = new ArrayList<>(), args = new ArrayList<>();
        Map<String, double[]> values = new HashMap<>();
        for (int i = 0; i < types.size(); i++) {
            TensorType t = types.get(i);
            String name = "x" + i;
            int n = Broadcasting.numel(t.shape().concrete(batch));
            double[] v = new double[n];
            for (int k = 0; k < n; k++) {
                if (t.dtype() == DType.I32) v[k] = rng.nextInt(spec.intHi());
                else if (t.dtype() == DType.BOOL) v[k] = rng.nextBoolean() ? 1 : 0;
                else {
                    double s = spec.lo() + (spec.hi() - spec.lo()) * rng.nextDouble();
                    if (spec.avoidZero() && Math.abs(s) < 0.1) s = s < 0 ? -0.5 : 0.5;
                    v[k] = (float) s;
                }
            }
            values.put(name, v);
            if (t.dtype() == DType.F32 && asInputs) {
                Node in = b.input(name, t, "input");
                inputs.add(in);
                args.add(in);
            } else if (t.dtype() == DType.F32) {
                Node p = b.param(name, t, Attrs.of("kind", "zeros"));
                params.add(p);
                args.add(p);
            } else if (t.dtype() == DType.I32) {
                Node in = b.input(name, t, "input");
                inputs.add(in);
                args.add(in);
            } else {                                    // bool operands arrive as 0/1 floats
                Node in = b.input(name, t.withDType(DType.F32), "input");
                inputs.add(in);
                args.add(b.node(Ops.NE, in, b.zero()));
            }
        }
        Node out = b.node(op, args, attrs);
        Node outF = b.toF32(out);
        boolean differentiable = out.dtype() == DType.F32 && !params.isEmpty();
        Node loss = null;
        double[] u = null;
        if (differentiable) {
            // loss = sum(out * u) for a fixed random u of out's (concrete) shape, fed as an extra input
            int n = Broadcasting.numel(out.shape().concrete(batch));
            u = new double[n];
            for (int k = 0; k < n; k++) u[k] = (float) (rng.nextDouble() * 2 - 1);
            Node uIn = b.input("u", out.type(), "label");
            inputs.add(uIn);
            values.put("u", u);
            loss = b.sumAll(b.mul(out, uIn));
        }
        CompiledModel m = Harness.build(op.name(), inputs, params, Map.of("y", outF), loss, vector, maxBatch);
        for (Node p : params) copy(values.get(p.attrs().s("name")), m.param(p.attrs().s("name")));
        for (Node i : inputs) {
            String name = i.attrs().s("name");
            if (i.dtype() == DType.I32) {
                int[] dst = m.inputI32(name);
                double[] src = values.get(name);
                for (int k = 0; k < src.length; k++) dst[k] = (int) src[k];
            } else copy(values.get(name), m.inputF32(name));
        }
        // forward
        m.predict(batch);
        Graph fg = new Graph("f", List.of(new Graph.Output("y", outF)), List.of());
        double[] want = Interpreter.run(fg, values, batch).output("y");
        float[] got = m.output(0);
        String what = op.name() + " " + types + " " + attrs + (vector ? " vector" : " scalar") + " batch " + batch;
        for (int k = 0; k < want.length; k++) assertClose(want[k], got[k], what + " y[" + k + "]");
        if (!differentiable) return;
        // gradients: SGD with lr 1 leaves p - grad in the parameter
        Graph lg = new Graph("l", List.of(new Graph.Output("loss", loss)), List.of());
        var res = Interpreter.run(new Differentiate().run(lg, PassContext.test()), values, batch);
        float l = m.trainStep(batch);
        assertClose(res.scalar("loss"), l, what + " loss");
        for (Node p : params) {
            String name = p.attrs().s("name");
            double[] g = res.output(Differentiate.GRAD + name), before = values.get(name);
            float[] after = m.param(name);
            for (int k = 0; k < g.length; k++) assertClose(g[k], before[k] - after[k], what + " d" + name + "[" + k + "]");
        }
    }

    private static void copy(double[] src, float[] dst) {
        for (int k = 0; k < src.length; k++) dst[k] = (float) src[k];
    }

    static void assertClose(double want, double got, String what) {
        assertEquals(want, got, 2e-5 + 1e-4 * Math.abs(want), what);
    }

}
