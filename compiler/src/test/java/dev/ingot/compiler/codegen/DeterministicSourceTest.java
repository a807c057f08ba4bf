package dev.ingot.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import org.junit.jupiter.api.Test;

/**
 * The same model compiles to the same Java source every time: the Maven plugin's output does not change from one
 * build to the next, and a diff of generated code shows only what changed in the model or the compiler. Names
 * must not follow the iteration order of a map keyed by identity (a row kernel's literals {@code c0, c1, ...}
 * did), which differs between two compilations in one JVM as between two JVMs.
 */
class DeterministicSourceTest {
    static final String MODEL = """
        model Det {
          input  ids: i32[batch, 12]
          label  next: i32[batch, 12]
          layer  emb = embedding(40, 24)
          layer  rec = lstm(24, 48, return_sequences = true)
          layer  mid = dense(48, 48)
          layer  norm = layer_norm(48)
          layer  head = dense(48, 40)
          output logits = ids |> emb |> rec |> mid |> gelu |> norm |> head
          loss = softmax_cross_entropy(logits, next)
          train { optimizer: adam(lr = 0.01), batch: 16 }
        }
        """;

    @Test
    void compilingTwiceGivesTheSameSource() {
        String first = source();
        for (int i = 0; i < 3; i++) assertEquals(first, source(), "compilation " + (i + 2) + " differs from the first");
    }

    private static String source() {
        return Compiler.compile(SourceFile.of("det.ingot", null, MODEL, true), Compiler.Options.defaults()).source().code();
    }
}
