package dev.ingot.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.model.CompiledModel;
import org.junit.jupiter.api.Test;

/** The smallest end-to-end check (Glow's learnXor): a 2-8-1 net learns XOR with the MSE loss in a few hundred steps. */
class LearnXorTest {
    @Test
    void learnsXor() {
        String src = """
            model Xor {
              input  x: f32[batch, 2]
              input  t: f32[batch, 1]
              layer  h = dense(2, 8, activation = tanh)
              layer  o = dense(8, 1, activation = sigmoid)
              output p = o(h(x))
              loss = mse(p, t)
              train { optimizer: adam(lr = 0.05), batch: 4 }
            }
            """;
        CompiledModel m = Compiler.compile(SourceFile.of("xor.ingot", null, src, true), Compiler.Options.defaults()).instantiate(4);
        m.initialize(2);
        float[] x = m.inputF32("x"), t = m.inputF32("t");
        float[][] xs = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
        for (int i = 0; i < 4; i++) {
            x[2 * i] = xs[i][0];
            x[2 * i + 1] = xs[i][1];
            t[i] = (xs[i][0] != xs[i][1]) ? 1 : 0;
        }
        float loss = Float.NaN;
        for (int s = 0; s < 500; s++) loss = m.trainStep(4);
        assertTrue(loss < 0.01, "xor loss after 500 steps: " + loss);
        m.predict(4);
        float[] p = m.output(0);
        for (int i = 0; i < 4; i++) assertTrue(Math.abs(p[i] - t[i]) < 0.2, "xor(" + xs[i][0] + ", " + xs[i][1] + ") = " + p[i]);
    }
}
