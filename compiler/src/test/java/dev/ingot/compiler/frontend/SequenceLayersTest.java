package dev.ingot.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.runtime.model.CompiledModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sequence layers of the standard library as a user writes them: a conv1d text classifier with
 * a single logit, and an encoder-decoder whose decoder stack, built by repeat, gets the memory in
 * every block; padding_mask of token ids.
 */
class SequenceLayersTest {
    static ModelIr compile(String text) { return Frontend.compile(SourceFile.of("m.ingot", null, text, true)); }

    @Test
    void conv1dTextClassifier() {
        ModelIr m = compile("""
            model TextCnn {
              input  tokens: i32[batch, 12]
              label  y: i32[batch]
              layer  emb = embedding(50, 8)
              layer  conv = conv1d(8, 6, 3, padding = "same", activation = relu)
              layer  conv2 = conv1d(6, 4, 2, stride = 2)
              layer  out = dense(4, 1)
              h = transpose(emb(tokens), [0, 2, 1]) |> conv |> max_pool1d(2) |> conv2      // [batch, 4, 3]
              output logit = reshape(out(global_max_pool1d(h)), [batch])
              loss = mean(abs(logit))
            }
            """);
        assertEquals(List.of("emb.weight", "conv.w", "conv.b", "conv2.w", "conv2.b", "out.w", "out.b"), m.params().stream().map(p -> p.attrs().s("name")).toList());
        assertArrayEquals(new int[] {6, 8, 3}, m.params().get(1).shape().dims(), "PyTorch's Conv1d weight layout");
        assertArrayEquals(new int[] {4, 6, 2}, m.params().get(3).shape().dims());
    }

    @Test
    void repeatPassesTheMemoryToEveryBlock() {
        String src = """
            model EncDec {
              input  src: i32[batch, 6]
              input  tgt_in: i32[batch, 5]
              label  tgt: i32[batch, 5]
              layer  emb = embedding(20, 8)
              layer  encs = repeat(2, transformer_block, 8, 2, 16)
              layer  decs = repeat(2, transformer_decoder_block, 8, 2, 16)
              layer  out = dense(8, 20)
              pad = padding_mask(src, 20)
              memory = encs(emb(src), key_padding_mask = pad)
              output logits = decs(emb(tgt_in), memory, memory_padding_mask = pad) |> out
              loss = softmax_cross_entropy(logits, tgt)
              train { optimizer: adam(lr = 1e-3), batch: 4 }
            }
            """;
        ModelIr m = compile(src);
        List<String> names = m.params().stream().map(p -> p.attrs().s("name")).toList();
        assertTrue(names.contains("decs.1.cross_attn.k.w"), names.toString());
        assertTrue(names.contains("decs.0.cross_attn.v.b"));
        // the second block's cross-attention reads the memory: its key projection gets a gradient
        CompiledModel c = Compiler.compile(SourceFile.of("m.ingot", null, src, true), Compiler.Options.defaults()).instantiate(4);
        c.initialize(1);
        int[] s = c.inputI32("src"), ti = c.inputI32("tgt_in"), t = c.inputI32("tgt");
        for (int i = 0; i < s.length; i++) s[i] = 1 + i % 7;
        for (int i = 0; i < ti.length; i++) { ti[i] = 2 + i % 5; t[i] = 3 + i % 4; }
        s[5] = 0; // one padded source position
        float[] k1 = c.param("decs.1.cross_attn.k.w").clone();
        c.trainStep(4);
        float[] after = c.param("decs.1.cross_attn.k.w");
        double moved = 0;
        for (int i = 0; i < k1.length; i++) moved += Math.abs(after[i] - k1[i]);
        assertTrue(moved > 0, "decs.1's cross-attention takes part in the loss");
    }

    @Test
    void paddingMaskIsOneAtPadTokens() {
        String src = """
            model Pads {
              input  ids: i32[batch, 4]
              output m = padding_mask(ids, 8)
            }
            """;
        CompiledModel c = Compiler.compile(SourceFile.of("m.ingot", null, src, true), Compiler.Options.defaults().withTraining(false)).instantiate(1);
        System.arraycopy(new int[] {5, 0, 3, 0}, 0, c.inputI32("ids"), 0, 4);
        c.predict(1);
        assertArrayEquals(new float[] {0, 1, 0, 1}, java.util.Arrays.copyOf(c.output(0), 4));
    }

}
