package dev.ingot.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import org.junit.jupiter.api.Test;

/**
 * The generated class's training configuration lists hyperparameters and data options in key order, so the source
 * is the same in every JVM (a {@code Map}'s iteration order is not: {@code Map.of} salts it per JVM, which made the
 * Maven plugin's output differ from one build to the next).
 */
class SpecEmitterTest {
    static final String MODEL = """
        model Spec {
          input  ids: i32[batch, 8]
          label  next: i32[batch, 8]
          layer  emb = embedding(65, 4)
          layer  d = dense(4, 65)
          output logits = d(emb(ids))
          loss   = softmax_cross_entropy(logits, next)
          train {
            optimizer: adam(lr = 1e-3, weight_decay = 0.0)
            batch: 8, epochs: 1
            data: chars("data/input.txt", seq = 8)
          }
        }
        """;

    @Test
    void hyperparametersAndDataOptionsAreEmittedInKeyOrder() {
        String code = Compiler.compile(SourceFile.of("spec.ingot", null, MODEL, true), Compiler.Options.defaults()).source().code();
        assertTrue(code.contains("Map.of(\"beta1\", 0.9, \"beta2\", 0.999, \"eps\", 1.0E-8, \"lr\", 0.001, \"weight_decay\", 0.0)"), code);
        assertTrue(code.contains("Map.of(\"file\", \"data/input.txt\", \"seq\", \"8\")"), code);
    }
}
