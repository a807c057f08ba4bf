package dev.ingot.compiler.reference;

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
import dev.ingot.compiler.pass.PassContext;
import dev.ingot.compiler.pass.SelectPhase;
import dev.ingot.runtime.io.Json;
import dev.ingot.runtime.io.SafeTensors;
import dev.ingot.runtime.model.CompiledModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 1-D layers and the decoder block against PyTorch ({@code seq_layers.safetensors}, written by
 * {@code tools/reference/gen_fixtures.py}): {@code conv} on signals (F.conv1d: strides, padding,
 * "same", dilation, groups), {@code max_pool1d}, {@code avg_pool1d}, {@code global_max_pool1d},
 * forward and gradients in the float64 interpreter; and the standard library's
 * {@code transformer_decoder_block(8, 2, 16)} (causal self-attention, cross-attention with a
 * key-padding mask, feed-forward, pre-LN) against nn.TransformerDecoderLayer, forward and the
 * gradients of every parameter, of x and of the memory, interpreted and compiled.
 */
class PyTorchSeqLayersFixturesTest {
    static final String FILE = "seq_layers";

    static Stream<Arguments> opCases() throws IOException { return FixtureCases.list(FILE, c -> true).stream(); }

    @ParameterizedTest(name = "{0} case {1}: {2}")
    @MethodSource("opCases")
    void opMatchesPyTorch(String file, int i, String what) throws IOException {
        FixtureCases.check(file, i, PyTorchSeqLayersFixturesTest::apply, List.of());
    }

    static Node apply(GraphBuilder b, String op, Map<String, Object> a, Map<String, Node> in) {
        Map<String, Object> named = new LinkedHashMap<>();
        switch (op) {
            case "conv1d" -> {
                named.put("stride", FixtureCases.ints(a.get("stride")));
                named.put("padding", a.get("padding") instanceof String s ? s : FixtureCases.ints(a.get("padding")));
                named.put("dilation", FixtureCases.ints(a.get("dilation")));
                named.put("groups", ((Number) a.get("groups")).intValue());
                return FixtureCases.call(b, "conv", List.of(in.get("x"), in.get("w")), named);
            }
            case "max_pool1d", "avg_pool1d" -> {
                named.put("size", FixtureCases.ints(a.get("kernel")));
                if (a.get("stride") != null) named.put("stride", FixtureCases.ints(a.get("stride")));
                named.put("padding", FixtureCases.ints(a.get("padding")));
                return FixtureCases.call(b, op, List.of(in.get("x")), named);
            }
            case "global_max_pool1d" -> {
                return FixtureCases.call(b, op, List.of(in.get("x")), Map.of());
            }
            default -> throw new IllegalArgumentException(op);
        }
    }

    static final String DECODER = """
        model DecoderFixture {
          input  x: f32[batch, 4, 8]
          input  memory: f32[batch, 5, 8]
          input  pad: f32[batch, 5]
          label  dy: f32[batch, 4, 8]
          layer  decoder = transformer_decoder_block(8, 2, 16)
          output y = decoder(x, memory, memory_padding_mask = pad)
          loss = sum(y * dy)
          train { optimizer: sgd(lr = 1), batch: 2 }
        }
        """;

    @Test
    @SuppressWarnings("unchecked")
    void decoderBlockMatchesPyTorch() throws IOException {
        try (SafeTensors.Reader f = SafeTensors.open(PyTorchFixturesTest.Fixtures.dir().resolve(FILE + ".safetensors"))) {
            Map<String, Object> meta = (Map<String, Object>) Json.parse(f.metadata().get("decoder"));
            List<String> params = (List<String>) meta.get("params");
            int batch = f.info("decoder.x").shape()[0];
            Map<String, float[]> feeds = new HashMap<>();
            for (String p : params) feeds.put("decoder." + p, f.readF32("decoder." + p));
            for (String in : List.of("x", "memory", "pad", "dy")) feeds.put(in, f.readF32("decoder." + in));
            float[] want = f.readF32("decoder.y");

            // interpreted, float64: forward and the gradients of the parameters, x and memory
            ModelIr ir = Frontend.compile(SourceFile.of("decoder.ingot", null, DECODER, true));
            Graph g = new SelectPhase(true).run(new Graph("reference", List.of(new Graph.Output("y", ir.outputs().get("y")),
                    new Graph.Output(Differentiate.LOSS, ir.loss())), List.of()), PassContext.test());
            GraphBuilder b = new GraphBuilder();
            List<Node> wrt = new ArrayList<>(g.leaves(Ops.PARAM));
            for (Node x : g.leaves(Ops.INPUT)) if (List.of("x", "memory").contains(x.attrs().s("name"))) wrt.add(x);
            Map<Node, Node> grads = Differentiate.gradients(b, g.output(Differentiate.LOSS), wrt);
            List<Graph.Output> outs = new ArrayList<>(g.outputs());
            for (Node w : wrt) outs.add(new Graph.Output(Differentiate.GRAD + w.attrs().s("name"), grads.get(w)));
            Map<String, double[]> values = new HashMap<>();
            for (Node leaf : g.topo()) {
                if (leaf.op() != Ops.PARAM && leaf.op() != Ops.INPUT) continue;
                float[] v = feeds.get(leaf.attrs().s("name"));
                assertNotNull(v, "no fixture for " + leaf.attrs().s("name"));
                values.put(leaf.attrs().s("name"), PyTorchFixturesTest.toDouble(v));
            }
            var res = Interpreter.run(new Graph("reference", outs, List.of()), values, batch);
            PyTorchFixturesTest.compare(want, res.output("y"), "decoder: interpreted y");
            PyTorchFixturesTest.compare(f.readF32("decoder.dx"), res.output(Differentiate.GRAD + "x"), "decoder: gradient of x");
            PyTorchFixturesTest.compare(f.readF32("decoder.dmemory"), res.output(Differentiate.GRAD + "memory"), "decoder: gradient of memory");
            for (String p : params) {
                double[] got = res.output(Differentiate.GRAD + "decoder." + p);
                assertNotNull(got, "decoder: no gradient of " + p);
                PyTorchFixturesTest.compare(f.readF32("decoder.grad." + p), got, "decoder: interpreted gradient of " + p);
            }

            // compiled, float32: forward, and one SGD step with lr 1 gives the gradients back
            CompiledModel m = Compiler.compile(SourceFile.of("decoder.ingot", null, DECODER, true), Compiler.Options.defaults()).instantiate(batch);
            for (var e : feeds.entrySet()) {
                float[] dst = e.getKey().startsWith("decoder.") ? m.param(e.getKey()) : e.getKey().equals("dy") ? m.inputF32("dy") : m.inputF32(e.getKey());
                System.arraycopy(e.getValue(), 0, dst, 0, e.getValue().length);
            }
            m.evaluate(batch);
            PyTorchRecurrentFixturesTest.compareModel(want, m.output(0), "decoder: compiled y");
            Map<String, float[]> before = new HashMap<>();
            for (String p : params) before.put(p, m.param("decoder." + p).clone());
            m.trainStep(batch);
            for (String p : params) {
                float[] now = m.param("decoder." + p), gr = new float[now.length];
                for (int k = 0; k < gr.length; k++) gr[k] = before.get(p)[k] - now[k];
                PyTorchRecurrentFixturesTest.compareModel(f.readF32("decoder.grad." + p), gr, "decoder: compiled gradient of " + p);
            }
        }
    }
}
