package dev.ingot.compiler.reference;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.runtime.io.SafeTensors;
import dev.ingot.runtime.model.CompiledModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The other CNN ops against PyTorch ({@code cnn_misc.safetensors}), in the reference interpreter:
 * {@code pad}, {@code concat}, slicing (the {@code slice} primitive the DSL's {@code x[a:b, ...]}
 * stages to), {@code batch_normalize} in training mode (batch statistics; gradients of x, gamma,
 * beta; the updated running mean and unbiased running variance) and in inference mode (running
 * statistics), {@code global_avg_pool2d}, {@code flatten}. Batch norm, the one op here with state and
 * a training/inference split, also runs through the generated code.
 */
class PyTorchCnnMiscFixturesTest {
    static Stream<Arguments> cases() throws IOException { return FixtureCases.list("cnn_misc", c -> true).stream(); }

    @ParameterizedTest(name = "{0} case {1}: {2}")
    @MethodSource("cases")
    void matchesPyTorch(String file, int i, String what) throws IOException {
        FixtureCases.check(file, i, PyTorchCnnMiscFixturesTest::apply, List.of("running_mean", "running_var"));
    }

    // ---------------------------------------------------------------- batch norm through the generated code

    static Stream<Arguments> batchNormCases() throws IOException { return FixtureCases.list("cnn_misc", c -> c.get("op").equals("batch_norm")).stream(); }

    /**
     * The {@code batch_norm} layer compiled, all batch-norm cases in one model. Training-mode cases
     * normalize a parameter {@code xt<i>} (the whole fixture batch, so the batch statistics are
     * PyTorch's) with a parameter {@code dyt<i>} as upstream gradient: one SGD step at learning rate 1
     * shows dx, dgamma and dbeta, and the layer's buffers hold the updated running statistics.
     * Inference-mode cases read an input {@code x<i>} and their outputs come from {@code evaluate},
     * with the buffers set to the fixture's running statistics (rows beyond a case's batch are zero).
     */
    @ParameterizedTest(name = "{0} case {1}: {2}")
    @MethodSource("batchNormCases")
    @SuppressWarnings("unchecked")
    void compiledBatchNormMatchesPyTorch(String file, int i, String what) throws IOException {
        synchronized (PyTorchCnnMiscFixturesTest.class) {
            if (compiled == null) compiled = compileBatchNorm(file);
        }
        try (SafeTensors.Reader f = SafeTensors.open(PyTorchFixturesTest.Fixtures.dir().resolve(file + ".safetensors"))) {
            Map<String, Object> c = FixtureCases.meta(f, i);
            Map<String, float[]> got = compiled.get(i);
            if (Boolean.TRUE.equals(((Map<String, Object>) c.get("attrs")).get("training"))) {
                for (String g : List.of("x", "gamma", "beta"))
                    CompiledWindowCases.compare(f.readF32("case" + i + ".d" + g), got.get("d" + g), what + ": compiled gradient of " + g);
                for (String r : List.of("running_mean", "running_var"))
                    CompiledWindowCases.compare(f.readF32("case" + i + "." + r + "_out"), got.get(r), what + ": compiled updated " + r);
            } else {
                CompiledWindowCases.compare(f.readF32("case" + i + ".y_out"), got.get("y"), what + ": compiled forward (evaluate)");
            }
        }
    }

    private static Map<Integer, Map<String, float[]>> compiled;

    @SuppressWarnings("unchecked")
    static Map<Integer, Map<String, float[]>> compileBatchNorm(String file) throws IOException {
        try (SafeTensors.Reader f = SafeTensors.open(PyTorchFixturesTest.Fixtures.dir().resolve(file + ".safetensors"))) {
            int n = Integer.parseInt(f.metadata().get("num_cases")), maxBatch = 1;
            StringBuilder dsl = new StringBuilder("model BatchNormFixtures {\n");
            List<String> loss = new ArrayList<>();
            List<Integer> train = new ArrayList<>(), infer = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Map<String, Object> c = FixtureCases.meta(f, i);
                if (!c.get("op").equals("batch_norm")) continue;
                Map<String, Object> a = (Map<String, Object>) c.get("attrs");
                int[] xs = f.info("case" + i + ".x").shape();
                String dims = java.util.Arrays.toString(xs), rest = dims.substring(dims.indexOf(',') + 1, dims.length() - 1);
                dsl.append("  layer  bn%d = batch_norm(%d, momentum = %s, eps = %s)%n".formatted(i, xs[1], a.get("momentum"), a.get("eps")));
                if (Boolean.TRUE.equals(a.get("training"))) {
                    train.add(i);
                    dsl.append("  param  xt%d: %s = zeros%n  param  dyt%d: %s = zeros%n".formatted(i, dims, i, dims));
                    loss.add("sum(bn%d(xt%d) * dyt%d)".formatted(i, i, i));
                } else {
                    infer.add(i);
                    maxBatch = Math.max(maxBatch, xs[0]);
                    dsl.append("  input  x%d: f32[batch,%s]%n  output y%d = bn%d(x%d)%n".formatted(i, rest, i, i, i));
                    loss.add("sum(y%d)".formatted(i));
                }
            }
            dsl.append("  loss = ").append(String.join(" + ", loss)).append("\n  train { optimizer: sgd(lr = 1), batch: ").append(maxBatch).append(" }\n}\n");
            Compiler.Result r = Compiler.compile(SourceFile.of("batch_norm_fixtures.ingot", null, dsl.toString(), true), Compiler.Options.defaults());
            CompiledModel m = r.instantiate(maxBatch);
            Map<Integer, Map<String, float[]>> res = new HashMap<>();
            Map<String, float[]> before = new HashMap<>();
            for (int i : train) {
                copy(f.readF32("case" + i + ".x"), m.param("xt" + i));
                copy(f.readF32("case" + i + ".dy"), m.param("dyt" + i));
            }
            for (int i : concat(train, infer)) {
                copy(f.readF32("case" + i + ".gamma"), m.param("bn" + i + ".gamma"));
                copy(f.readF32("case" + i + ".beta"), m.param("bn" + i + ".beta"));
                copy(f.readF32("case" + i + ".running_mean"), m.state("bn" + i + ".running_mean"));
                copy(f.readF32("case" + i + ".running_var"), m.state("bn" + i + ".running_var"));
                if (train.contains(i)) for (String p : List.of("xt" + i, "bn" + i + ".gamma", "bn" + i + ".beta")) before.put(p, m.param(p).clone());
            }
            for (int i : infer) copy(f.readF32("case" + i + ".x"), m.inputF32("x" + i));
            m.evaluate(maxBatch);
            List<String> outs = new ArrayList<>(r.model().outputs().keySet());
            for (int i : infer) res.put(i, Map.of("y", java.util.Arrays.copyOf(m.output(outs.indexOf("y" + i)), (int) f.info("case" + i + ".y_out").numel())));
            m.trainStep(maxBatch);
            for (int i : train) {
                Map<String, float[]> g = new HashMap<>();
                g.put("dx", delta(before.get("xt" + i), m.param("xt" + i)));
                g.put("dgamma", delta(before.get("bn" + i + ".gamma"), m.param("bn" + i + ".gamma")));
                g.put("dbeta", delta(before.get("bn" + i + ".beta"), m.param("bn" + i + ".beta")));
                g.put("running_mean", m.state("bn" + i + ".running_mean").clone());
                g.put("running_var", m.state("bn" + i + ".running_var").clone());
                res.put(i, g);
            }
            return res;
        }
    }

    private static List<Integer> concat(List<Integer> a, List<Integer> b) {
        List<Integer> r = new ArrayList<>(a);
        r.addAll(b);
        return r;
    }

    private static void copy(float[] src, float[] dst) { System.arraycopy(src, 0, dst, 0, src.length); }

    private static float[] delta(float[] before, float[] after) {
        float[] d = new float[before.length];
        for (int k = 0; k < d.length; k++) d[k] = before[k] - after[k];
        return d;
    }

    @SuppressWarnings("unchecked")
    static Node apply(GraphBuilder b, String op, Map<String, Object> a, Map<String, Node> in) {
        Map<String, Object> named = new HashMap<>();
        List<Node> xs = new ArrayList<>(in.values());
        switch (op) {
            case "pad" -> {
                named.put("before", FixtureCases.ints(a.get("before")));
                named.put("after", FixtureCases.ints(a.get("after")));
                named.put("value", FixtureCases.num(a.get("value")));
            }
            case "concat" -> {
                named.put("xs", xs);
                named.put("axis", ((Number) a.get("axis")).intValue());
                return FixtureCases.call(b, "concat", List.of(), named);
            }
            case "slice" -> {
                return b.node(Ops.SLICE, Attrs.of("begin", FixtureCases.ints(a.get("begin")), "end", FixtureCases.ints(a.get("end"))), in.get("x"));
            }
            case "batch_norm" -> {
                named.put("momentum", FixtureCases.num(a.get("momentum")));
                named.put("eps", FixtureCases.num(a.get("eps")));
                return FixtureCases.call(b, "batch_normalize",
                        List.of(in.get("x"), in.get("gamma"), in.get("beta"), in.get("running_mean"), in.get("running_var")), named);
            }
            default -> { }
        }
        return FixtureCases.call(b, op, xs, named);
    }
}
