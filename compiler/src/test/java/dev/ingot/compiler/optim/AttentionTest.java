package dev.ingot.compiler.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.runtime.exec.Parallel;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.TensorSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The fused {@code attention(q, k, v, heads, mask)} in a model: its compiled training step against the interpreter,
 * the same values and gradients as the attention written out (split heads, scores, causal mask, softmax, weighted
 * sum, merged heads), a constant causal mask turned into the {@code causal} attribute, and the same bits at any
 * thread count.
 */
class AttentionTest {
    static String model(String attention) {
        return """
            model A {
              input  ids: i32[batch, 8]
              label  next: i32[batch, 8]
              layer  tok = embedding(11, 16)
              layer  q = dense(16, 16)
              layer  k = dense(16, 16)
              layer  v = dense(16, 16)
              layer  head = dense(16, 11)
              x = tok(ids)
              output logits = head(x + %s)
              loss = softmax_cross_entropy(logits, next)
              train { optimizer: sgd(lr = 0.5), batch: 4 }     // not adam: it would blow up the rounding noise in k.b, whose gradient is 0
            }
            """.formatted(attention);
    }

    static final String FUSED = model("attention(q(x), k(x), v(x), 4, mask = causal_mask(8))");
    static final String PADDED = model("attention(q(x), k(x), v(x), 2, mask = reshape(f32(ids == 0), [batch, 1, 1, 8]) * -1e9)");
    static String split(String x) { return "transpose(reshape(" + x + ", [batch, 8, 4, 4]), [0, 2, 1, 3])"; }
    static final String WRITTEN_OUT = model("reshape(transpose(matmul(softmax(matmul(" + split("q(x)") + ", " + split("k(x)") + ", transpose_b = true) * 0.5"
            + " + causal_mask(8)), " + split("v(x)") + "), [0, 2, 1, 3]), [batch, 8, 16])");

    @ParameterizedTest(name = "vector={0}")
    @ValueSource(booleans = {true, false})
    void trainStepMatchesTheInterpreter(boolean vector) {
        StepCheck.run(FUSED, 4, 3, 11, vector);
        StepCheck.run(PADDED, 3, 2, 11, vector);
    }

    @Test
    void constantCausalMaskBecomesTheCausalAttribute() {
        Graph g = Compiler.compile(SourceFile.of("a.ingot", null, FUSED, true), Compiler.Options.defaults()).graph("trainStep");
        int fwd = 0, grad = 0;
        for (Node n : g.topo()) {
            if (n.op() == Ops.ATTENTION) fwd++;
            if (n.op() == Ops.ATTENTION_GRAD) grad++;
            if (n.op() == Ops.ATTENTION || n.op() == Ops.ATTENTION_GRAD) {
                assertTrue(n.attrs().b("causal"), n.toString());
                assertEquals(n.op() == Ops.ATTENTION ? 3 : 5, n.inputs().size(), "no mask operand left: " + n);
            }
            assertFalse(n.op() == Ops.CONST && n.shape().rank() == 2, "the mask table is gone: " + n);
        }
        assertEquals(1, fwd);
        assertEquals(1, grad);
    }

    @Test
    void fusedEqualsWrittenOutAndIsTheSameAtAnyThreadCount() {
        CompiledModel fused = instantiate(FUSED), out = instantiate(WRITTEN_OUT), fused3 = instantiate(FUSED);
        for (TensorSpec p : out.spec().params()) {
            System.arraycopy(out.param(p.name()), 0, fused.param(p.name()), 0, out.param(p.name()).length);
            System.arraycopy(out.param(p.name()), 0, fused3.param(p.name()), 0, out.param(p.name()).length);
        }
        var rnd = new SplittableRandom(11);
        for (int step = 0; step < 3; step++) {
            int[] ids = new int[4 * 8], next = new int[4 * 8];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = rnd.nextInt(11);
                next[i] = rnd.nextInt(11);
            }
            float lf = step(fused, ids, next, 1), lo = step(out, ids, next, 1), l3 = step(fused3, ids, next, 3);
            assertEquals(lo, lf, 2e-5 * Math.max(1, Math.abs(lo)), "loss, step " + step);
            assertEquals(lf, l3, 0f, "loss at 1 and 3 threads, step " + step);
            for (TensorSpec p : out.spec().params()) {
                float[] a = out.param(p.name()), b = fused.param(p.name());
                for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5 + 1e-4 * Math.abs(a[i]), p.name() + "[" + i + "], step " + step);
                assertArrayEquals(b, fused3.param(p.name()), p.name() + " at 1 and 3 threads, step " + step);
            }
        }
    }

    private static CompiledModel instantiate(String source) {
        CompiledModel m = Compiler.compile(SourceFile.of("a.ingot", null, source, true), Compiler.Options.defaults()).instantiate(4);
        m.initialize(3);
        return m;
    }

    private static float step(CompiledModel m, int[] ids, int[] next, int threads) {
        System.arraycopy(ids, 0, m.inputI32("ids"), 0, ids.length);
        System.arraycopy(next, 0, m.inputI32("next"), 0, next.length);
        int before = Parallel.get().threads();
        Parallel.setThreads(threads);
        try {
            return m.trainStep(4);
        } finally {
            Parallel.setThreads(before);
        }
    }
}
