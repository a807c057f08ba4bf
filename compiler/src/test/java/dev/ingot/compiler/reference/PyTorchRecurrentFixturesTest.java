package dev.ingot.compiler.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.autodiff.Differentiate;
import dev.ingot.compiler.frontend.Frontend;
import dev.ingot.compiler.frontend.ModelIr;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.compiler.interp.Interpreter;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.pass.AugmentScans;
import dev.ingot.compiler.pass.PassContext;
import dev.ingot.compiler.pass.SelectPhase;
import dev.ingot.runtime.io.SafeTensors;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.TensorSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ingot's recurrent layers ({@code rnn}, {@code lstm}, {@code gru} of the standard library) against
 * PyTorch's {@code nn.RNN}, {@code nn.LSTM}, {@code nn.GRU} ({@code rnn.safetensors}): uni- and
 * bidirectional, and two stacked layers, with PyTorch's weights loaded unchanged.
 *
 * <p>All recurrent cases are written as one DSL model (one compilation): case {@code i} reads input
 * {@code x<i>} and declares its layers {@code rec<i>_l<k>} (and {@code rec<i>_l<k>_reverse}, the name
 * {@code bidirectional(...)} gives the reverse twin), so PyTorch's {@code weight_ih_l<k>[_reverse]}
 * is Ingot's {@code rec<i>_l<k>[_reverse].weight_ih}. Outputs {@code y<i>} (the sequence output),
 * {@code hn<i>} and {@code cn<i>} (final states as {@code [batch, layers * directions, hidden]}: PyTorch's
 * {@code h_n} with the first two axes swapped). The loss is the sum over cases of PyTorch's
 * {@code sum(output * dy) + sum(h_n * dh_n) (+ sum(c_n * dc_n))}, the upstream gradients fed as f32
 * labels, so each parameter's gradient is its case's. Cases with {@code attrs.initial_state} pass
 * inputs {@code h0_<i>} (and {@code c0_<i>}) as the layer's state argument, {@code layer(x, [h0, c0])}.
 * <ul>
 *   <li>Compiled code (float32): outputs from {@code evaluate}, parameter gradients from one step of
 *       SGD at learning rate 1 ({@code grad = before - after}).</li>
 *   <li>Reference interpreter (float64) on the model's graph: outputs and gradients of the
 *       parameters and of the inputs x (and initial states), which the training step cannot show.</li>
 * </ul>
 * The embedding cases of the same file (gather and its scatter-add gradient) are op cases, checked
 * in the interpreter, and through the {@code embedding} layer in the same compiled model.
 */
class PyTorchRecurrentFixturesTest {
    static final String FILE = "rnn";
    static final int BATCH = 3, T = 5, IN = 4, H = 6;
    static final Pattern TORCH_PARAM = Pattern.compile("(weight_ih|weight_hh|bias_ih|bias_hh)_l(\\d+)(_reverse)?");

    /** Per case: output name -> values, from the compiled model and from the interpreter. */
    static final Map<String, float[]> compiled = new HashMap<>();
    static final Map<String, double[]> interpreted = new HashMap<>();
    static final Map<String, float[]> compiledGrads = new HashMap<>();

    static Stream<Arguments> recurrentCases() throws IOException { return FixtureCases.list(FILE, c -> !c.get("op").equals("embedding")).stream(); }

    static Stream<Arguments> embeddingCases() throws IOException { return FixtureCases.list(FILE, c -> c.get("op").equals("embedding")).stream(); }

    /** The DSL of recurrent case {@code i}: layers, outputs and its loss term (appended to {@code loss}). */
    @SuppressWarnings("unchecked")
    static String caseDsl(int i, Map<String, Object> c, List<String> loss) {
        String op = (String) c.get("op");
        Map<String, Object> a = (Map<String, Object>) c.get("attrs");
        int layers = ((Number) a.get("num_layers")).intValue();
        boolean bidir = Boolean.TRUE.equals(a.get("bidirectional"));
        boolean lstm = op.equals("lstm");
        int dirs = bidir ? 2 : 1;
        StringBuilder s = new StringBuilder();
        s.append("  input  x%d: f32[batch, %d, %d]%n".formatted(i, T, IN));
        s.append("  label  dy%d: f32[batch, %d, %d]%n".formatted(i, T, H * dirs));
        s.append("  label  dh%d: f32[batch, %d, %d]%n".formatted(i, layers * dirs, H));
        if (lstm) s.append("  label  dc%d: f32[batch, %d, %d]%n".formatted(i, layers * dirs, H));
        List<String> init = (List<String>) a.getOrDefault("initial_state", List.of());
        for (String st0 : init) s.append("  input  %s_%d: f32[batch, %d]%n".formatted(st0, i, H));   // PyTorch's h0[0] / c0[0]
        String state = init.isEmpty() ? "" : ", " + (lstm ? "[h0_%d, c0_%d]".formatted(i, i) : "h0_" + i);
        if (!init.isEmpty() && (bidir || layers > 1)) throw new IllegalArgumentException("initial states are written for one unidirectional layer");
        // final state h (index 0) or c (index 1) of a layer's result r = [out, state]
        java.util.function.BiFunction<String, Integer, String> st = (r, k) -> "reshape(" + r + "[1]" + (lstm ? "[" + k + "]" : "") + ", [batch, 1, " + H + "])";
        if (bidir && !lstm) {
            // the bidirectional() sugar; final states read off the sequence output: forward at the last step, reverse at the first
            s.append("  layer  rec%d_l0 = bidirectional(%s(%d, %d, return_sequences = true), merge = \"concat\")%n".formatted(i, op, IN, H));
            s.append("  output y%d = rec%d_l0(x%d)%n".formatted(i, i, i));
            s.append("  output hn%d = concat([y%d[:, %d:%d, 0:%d], y%d[:, 0:1, %d:%d]], axis = 1)%n".formatted(i, i, T - 1, T, H, i, H, 2 * H));
        } else if (bidir) {
            // LSTM: c_n is not visible in the output, so the two directions are declared as bidirectional() names them
            String args = "%d, %d, return_sequences = true, return_state = true".formatted(IN, H);
            s.append("  layer  rec%d_l0 = lstm(%s)%n".formatted(i, args));
            s.append("  layer  rec%d_l0_reverse = lstm(%s, reverse = true)%n".formatted(i, args));
            s.append("  f%d = rec%d_l0(x%d)%n  b%d = rec%d_l0_reverse(x%d)%n".formatted(i, i, i, i, i, i));
            s.append("  output y%d = concat([f%d[0], b%d[0]], axis = -1)%n".formatted(i, i, i));
            s.append("  output hn%d = concat([%s, %s], axis = 1)%n".formatted(i, st.apply("f" + i, 0), st.apply("b" + i, 0)));
            s.append("  output cn%d = concat([%s, %s], axis = 1)%n".formatted(i, st.apply("f" + i, 1), st.apply("b" + i, 1)));
        } else {
            List<String> hs = new ArrayList<>(), cs = new ArrayList<>();
            String prev = "x" + i;
            for (int k = 0; k < layers; k++) {
                s.append("  layer  rec%d_l%d = %s(%d, %d, return_sequences = true, return_state = true)%n".formatted(i, k, op, k == 0 ? IN : H, H));
                s.append("  r%d_%d = rec%d_l%d(%s%s)%n".formatted(i, k, i, k, prev, k == 0 ? state : ""));
                prev = "r%d_%d[0]".formatted(i, k);
                hs.add(st.apply("r%d_%d".formatted(i, k), 0));
                cs.add(st.apply("r%d_%d".formatted(i, k), 1));
            }
            s.append("  output y%d = %s%n".formatted(i, prev));
            s.append("  output hn%d = %s%n".formatted(i, layers == 1 ? hs.get(0) : "concat([" + String.join(", ", hs) + "], axis = 1)"));
            if (lstm) s.append("  output cn%d = %s%n".formatted(i, layers == 1 ? cs.get(0) : "concat([" + String.join(", ", cs) + "], axis = 1)"));
        }
        loss.add("sum(y%d * dy%d) + sum(hn%d * dh%d)".formatted(i, i, i, i) + (lstm ? " + sum(cn%d * dc%d)".formatted(i, i) : ""));
        return s.toString();
    }

    static String ingotParam(int i, String torch) {
        Matcher m = TORCH_PARAM.matcher(torch);
        if (!m.matches()) throw new IllegalArgumentException(torch);
        return "rec" + i + "_l" + m.group(2) + (m.group(3) == null ? "" : "_reverse") + "." + m.group(1);
    }

    /** PyTorch's state [layers * dirs, batch, hidden] as Ingot's [batch, layers * dirs, hidden]. */
    static float[] swap01(float[] a, int d0, int d1, int d2) {
        float[] r = new float[a.length];
        for (int i = 0; i < d0; i++) for (int j = 0; j < d1; j++) System.arraycopy(a, (i * d1 + j) * d2, r, (j * d0 + i) * d2, d2);
        return r;
    }

    /**
     * Recurrent cases also run through the compiled code. Compiling is the slow part (each loop and its
     * gradient loop are generated kernels), so by default one case per cell type, together covering
     * the three shapes: RNN with two layers, LSTM bidirectional (two layers declared with
     * {@code reverse = true} and {@code return_state}), GRU bidirectional through {@code bidirectional()};
     * and the LSTM started from a given state {@code [h0, c0]}.
     * {@code -Dingot.fixtures.compileAll=true} compiles every case (roughly 10 s more; all pass).
     */
    static final List<Integer> COMPILED = List.of(2, 4, 7, 12);

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void run() throws IOException {
        try (SafeTensors.Reader f = SafeTensors.open(PyTorchFixturesTest.Fixtures.dir().resolve(FILE + ".safetensors"))) {
            int n = Integer.parseInt(f.metadata().get("num_cases"));
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < n; i++) if (!FixtureCases.meta(f, i).get("op").equals("embedding")) all.add(i);
            List<Integer> compiledCases = Boolean.getBoolean("ingot.fixtures.compileAll") ? all : COMPILED;
            Map<String, double[]> values = new HashMap<>();
            Map<String, float[]> weights = new LinkedHashMap<>(), feeds = new LinkedHashMap<>();
            Map<String, int[]> idFeeds = new HashMap<>();
            for (int i : all) {
                Map<String, Object> c = FixtureCases.meta(f, i);
                for (String p : (List<String>) c.get("params")) weights.put(ingotParam(i, p), f.readF32("case" + i + "." + p));
                feeds.put("x" + i, f.readF32("case" + i + ".x"));
                for (String st0 : (List<String>) ((Map<String, Object>) c.get("attrs")).getOrDefault("initial_state", List.of()))
                    feeds.put(st0 + "_" + i, f.readF32("case" + i + "." + st0));   // [1, batch, hidden] is [batch, hidden]
                for (var e : ((Map<String, String>) c.get("outputs")).entrySet()) {
                    String label = switch (e.getKey()) { case "output" -> "dy"; case "h_n" -> "dh"; default -> "dc"; } + i;
                    float[] u = f.readF32("case" + i + "." + e.getValue());
                    feeds.put(label, e.getKey().equals("output") ? u : swap01(u, u.length / (BATCH * H), BATCH, H));
                }
            }
            weights.forEach((k, v) -> values.put(k, PyTorchFixturesTest.toDouble(v)));
            feeds.forEach((k, v) -> values.put(k, PyTorchFixturesTest.toDouble(v)));

            // interpreter, every case: the frontend's graph (training phase, loops augmented for their
            // gradient as the training pipeline does), differentiated with respect to the parameters and x<i>
            ModelIr ir = Frontend.compile(SourceFile.of("recurrent_fixtures.ingot", null, dsl(f, all), true));
            List<Graph.Output> outs = new ArrayList<>();
            ir.outputs().forEach((name, node) -> outs.add(new Graph.Output(name, node)));
            outs.add(new Graph.Output(Differentiate.LOSS, ir.loss()));
            Graph g = new Graph("reference", outs, List.of());
            g = new SelectPhase(true).run(g, PassContext.test());
            g = new AugmentScans().run(g, PassContext.test());
            GraphBuilder b = new GraphBuilder();
            List<Node> wrt = new ArrayList<>(g.leaves(Ops.PARAM));
            for (Node x : g.leaves(Ops.INPUT)) if (x.attrs().s("role").equals("input")) wrt.add(x);   // x<i>, h0_<i>, c0_<i>
            Map<Node, Node> grads = Differentiate.gradients(b, g.output(Differentiate.LOSS), wrt);
            List<Graph.Output> go = new ArrayList<>(g.outputs());
            for (Node w : wrt) {
                Node d = grads.get(w);
                go.add(new Graph.Output(Differentiate.GRAD + w.attrs().s("name"), d == null ? b.broadcastTo(b.zero(), w.shape()) : d));
            }
            interpreted.putAll(Interpreter.run(new Graph("reference", go, List.of()), values, BATCH).outputs());

            // compiled code, a subset: outputs from evaluate, gradients through one SGD step at lr 1
            // (plus the embedding cases: emb<i>.weight gathered by ids<i>, an i32 input [batch, ...]; a case whose ids
            // do not start with a batch dimension of at most BATCH gets one in front and fills its first row; the
            // other rows gather row 0 with a zero upstream gradient, which adds nothing)
            StringBuilder emb = new StringBuilder();
            List<String> embLoss = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Map<String, Object> c = FixtureCases.meta(f, i);
                if (!c.get("op").equals("embedding")) continue;
                int[] ids = f.info("case" + i + ".ids").shape(), w = f.info("case" + i + ".weight").shape(), y = f.info("case" + i + ".y_out").shape();
                boolean batched = ids.length >= 2 && ids[0] <= BATCH;
                String idsDims = dims(ids, batched ? 1 : 0), yDims = dims(y, batched ? 1 : 0);
                emb.append("  input  ids%d: i32[batch%s]%n  label  dye%d: f32[batch%s]%n".formatted(i, idsDims, i, yDims));
                emb.append("  layer  emb%d = embedding(%d, %d)%n  output ye%d = emb%d(ids%d)%n".formatted(i, w[0], w[1], i, i, i));
                embLoss.add("sum(ye%d * dye%d)".formatted(i, i));
                weights.put("emb" + i + ".weight", f.readF32("case" + i + ".weight"));
                feeds.put("dye" + i, f.readF32("case" + i + ".dy"));
                idFeeds.put("ids" + i, f.readI32("case" + i + ".ids"));
            }
            String text = dsl(f, compiledCases).replace("  loss = ", emb + "  loss = " + String.join(" + ", embLoss) + "\n       + ");
            Compiler.Result r = Compiler.compile(SourceFile.of("recurrent_fixtures.ingot", null, text, true), Compiler.Options.defaults());
            CompiledModel m = r.instantiate(BATCH);
            for (TensorSpec p : m.spec().params()) System.arraycopy(weights.get(p.name()), 0, m.param(p.name()), 0, weights.get(p.name()).length);
            for (TensorSpec x : m.spec().inputs()) {
                if (idFeeds.containsKey(x.name())) System.arraycopy(idFeeds.get(x.name()), 0, m.inputI32(x.name()), 0, idFeeds.get(x.name()).length);
                else System.arraycopy(feeds.get(x.name()), 0, m.inputF32(x.name()), 0, feeds.get(x.name()).length);
            }
            for (TensorSpec x : m.spec().labels()) System.arraycopy(feeds.get(x.name()), 0, m.inputF32(x.name()), 0, feeds.get(x.name()).length);
            m.evaluate(BATCH);
            List<String> outNames = new ArrayList<>(r.model().outputs().keySet());
            for (int k = 0; k < outNames.size(); k++) compiled.put(outNames.get(k), m.output(k).clone());
            m.trainStep(BATCH);
            for (TensorSpec p : m.spec().params()) {
                float[] before = weights.get(p.name()), now = m.param(p.name()), d = new float[now.length];
                for (int k = 0; k < d.length; k++) d[k] = before[k] - now[k];
                compiledGrads.put(p.name(), d);
            }
        }
    }

    /** ", d1, d2, ..." of {@code shape} from index {@code from}. */
    static String dims(int[] shape, int from) {
        StringBuilder s = new StringBuilder();
        for (int k = from; k < shape.length; k++) s.append(", ").append(shape[k]);
        return s.toString();
    }

    /** One model holding the given recurrent cases; its loss is the sum of theirs. */
    static String dsl(SafeTensors.Reader f, List<Integer> cases) {
        StringBuilder dsl = new StringBuilder("model RecurrentFixtures {\n");
        List<String> loss = new ArrayList<>();
        for (int i : cases) dsl.append(caseDsl(i, FixtureCases.meta(f, i), loss));
        dsl.append("  loss = ").append(String.join("\n       + ", loss)).append("\n");
        return dsl.append("  train { optimizer: sgd(lr = 1), batch: ").append(BATCH).append(" }\n}\n").toString();
    }

    @ParameterizedTest(name = "{0} case {1}: {2}")
    @MethodSource("recurrentCases")
    @SuppressWarnings("unchecked")
    void matchesPyTorch(String file, int i, String what) throws IOException {
        try (SafeTensors.Reader f = SafeTensors.open(PyTorchFixturesTest.Fixtures.dir().resolve(FILE + ".safetensors"))) {
            Map<String, Object> c = FixtureCases.meta(f, i);
            for (String out : ((Map<String, String>) c.get("outputs")).keySet()) {
                String name = switch (out) { case "output" -> "y"; case "h_n" -> "hn"; default -> "cn"; } + i;
                float[] want = f.readF32("case" + i + "." + out);
                if (!out.equals("output")) want = swap01(want, want.length / (BATCH * H), BATCH, H);
                if (compiled.containsKey(name)) compareModel(want, compiled.get(name), what + ": compiled " + out);
                PyTorchFixturesTest.compare(want, interpreted.get(name), what + ": interpreted " + out);
            }
            PyTorchFixturesTest.compare(f.readF32("case" + i + ".dx"), interpreted.get(Differentiate.GRAD + "x" + i), what + ": interpreted gradient of x");
            for (String st0 : (List<String>) ((Map<String, Object>) c.get("attrs")).getOrDefault("initial_state", List.of()))
                PyTorchFixturesTest.compare(f.readF32("case" + i + ".d" + st0), interpreted.get(Differentiate.GRAD + st0 + "_" + i), what + ": interpreted gradient of " + st0);
            for (String p : (List<String>) c.get("params")) {
                float[] want = f.readF32("case" + i + ".grad." + p);
                String name = ingotParam(i, p);
                assertNotNull(interpreted.get(Differentiate.GRAD + name), "no Ingot parameter " + name);
                if (compiledGrads.containsKey(name)) compareModel(want, compiledGrads.get(name), what + ": compiled gradient of " + p + " (" + name + ")");
                PyTorchFixturesTest.compare(want, interpreted.get(Differentiate.GRAD + name), what + ": interpreted gradient of " + p + " (" + name + ")");
            }
        }
    }

    @ParameterizedTest(name = "{0} case {1}: {2}")
    @MethodSource("embeddingCases")
    void embeddingMatchesPyTorch(String file, int i, String what) throws IOException {
        FixtureCases.check(file, i, (b, op, a, in) -> FixtureCases.call(b, "gather", List.of(in.get("weight"), in.get("ids")), Map.of()), List.of());
        try (SafeTensors.Reader f = SafeTensors.open(PyTorchFixturesTest.Fixtures.dir().resolve(FILE + ".safetensors"))) {
            float[] want = f.readF32("case" + i + ".y_out");
            compareModel(want, java.util.Arrays.copyOf(compiled.get("ye" + i), want.length), what + ": compiled forward");
            compareModel(f.readF32("case" + i + ".dweight"), compiledGrads.get("emb" + i + ".weight"), what + ": compiled gradient of weight");
        }
    }

    /** Float32 compiled code against the float64 reference: about 1e-4 relative, with a small absolute floor. */
    static void compareModel(float[] want, float[] got, String what) {
        assertNotNull(got, what + ": missing");
        for (int k = 0; k < want.length; k++) assertEquals(want[k], got[k], 1e-5 + 1e-4 * Math.abs(want[k]), what + " [" + k + "]");
    }
}
