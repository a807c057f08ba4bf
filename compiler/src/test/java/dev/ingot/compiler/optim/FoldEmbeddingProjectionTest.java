package dev.ingot.compiler.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.TensorSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pass {@code fold-embedding-projection}: an embedding followed by a recurrent layer's input product becomes a
 * lookup in the projected table when the table has fewer rows than the batch has ids, and trains to the same
 * numbers as the graph without it.
 */
class FoldEmbeddingProjectionTest {
    static String model(int trainBatch) {
        return """
            model F {
              input  ids: i32[batch, 5]
              label  next: i32[batch, 5]
              layer  emb = embedding(7, 6)
              layer  rec = lstm(6, 8, return_sequences = true)
              layer  out = dense(8, 7)
              output logits = ids |> emb |> rec |> out
              loss = softmax_cross_entropy(logits, next)
              train { optimizer: adam(lr = 0.01), batch: %d }
            }
            """.formatted(trainBatch);
    }

    /** 16 x 5 ids against 7 rows: folded. 1 x 5 ids: not. */
    static final String FOLDED = model(16), PLAIN = model(1);

    @Test
    void theTableIsProjectedOnlyWhenItHasFewerRowsThanIds() {
        assertTrue(projectsTable(graph(FOLDED)), "folded at a train batch of 16");
        assertTrue(!projectsTable(graph(PLAIN)), "kept at a train batch of 1");
    }

    /** Whether a product reads the embedding table itself (and no product reads a lookup). */
    private static boolean projectsTable(Graph g) {
        boolean table = false;
        for (Node n : g.topo()) {
            if (n.op() != Ops.MATMUL) continue;
            if (n.in(0).op() == Ops.PARAM && n.in(0).attrs().s("name").equals("emb.weight") && n.in(1).attrs().has("name")
                    && n.in(1).attrs().s("name").equals("rec.weight_ih")) table = true;
        }
        for (Node n : g.topo()) if (n.op() == Ops.GATHER && n.in(0).op() == Ops.PARAM) return false;
        return table;
    }

    @ParameterizedTest(name = "vector={0}")
    @ValueSource(booleans = {true, false})
    void foldedStepMatchesTheInterpreter(boolean vector) {
        StepCheck.run(FOLDED, 4, 3, 7, vector);
    }

    /**
     * A transpose of a lookup keeping the ids' last axis becomes a transpose of the i32 ids with whole rows kept: the
     * ids (an int[] input) are copied into the float arena element by element, not by an {@code arraycopy} that would
     * throw ArrayStoreException.
     */
    @ParameterizedTest(name = "vector={0}")
    @ValueSource(booleans = {true, false})
    void transposedIdsKeepingTheirLastAxisMatchTheInterpreter(boolean vector) {
        StepCheck.run("""
            model T {
              input  ids: i32[batch, 3, 2]
              label  y: i32[batch]
              layer  emb = embedding(5, 4)
              layer  out = dense(4, 5)
              x = transpose(emb(ids), [1, 0, 2, 3])
              output logits = out(sum(sum(x, axis = 0), axis = 1))
              loss = softmax_cross_entropy(logits, y)
              train { optimizer: sgd(lr = 0.1), batch: 8 }
            }
            """, 4, 2, 5, vector);
    }

    @Test
    void foldedAndPlainTrainTheSame() {
        CompiledModel folded = instantiate(FOLDED), plain = instantiate(PLAIN);
        var rnd = new SplittableRandom(11);
        for (int step = 0; step < 4; step++) {
            int[] ids = new int[8 * 5], next = new int[8 * 5];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = rnd.nextInt(7);
                next[i] = rnd.nextInt(7);
            }
            float lf = step(folded, ids, next), lp = step(plain, ids, next);
            assertEquals(lp, lf, 1e-5 * Math.max(1, Math.abs(lp)), "loss, step " + step);
            for (TensorSpec p : plain.spec().params()) {
                float[] a = plain.param(p.name()), b = folded.param(p.name());
                for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5 + 1e-4 * Math.abs(a[i]), p.name() + "[" + i + "], step " + step);
            }
        }
    }

    private static Graph graph(String source) {
        return Compiler.compile(SourceFile.of("f.ingot", null, source, true), Compiler.Options.defaults()).graph("trainStep");
    }

    private static CompiledModel instantiate(String source) {
        CompiledModel m = Compiler.compile(SourceFile.of("f.ingot", null, source, true), Compiler.Options.defaults()).instantiate(8);
        m.initialize(3);
        return m;
    }

    private static float step(CompiledModel m, int[] ids, int[] next) {
        System.arraycopy(ids, 0, m.inputI32("ids"), 0, ids.length);
        System.arraycopy(next, 0, m.inputI32("next"), 0, next.length);
        return m.trainStep(8);
    }
}
