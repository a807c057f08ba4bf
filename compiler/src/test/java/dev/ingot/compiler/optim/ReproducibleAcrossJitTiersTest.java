package dev.ingot.compiler.optim;

import dev.ingot.runtime.exec.Parallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The same seed and thread count give bit-identical training whichever JIT tier runs the generated code: a fresh
 * model's first steps run in the interpreter and C1, the same steps after a long warm-up run C2-compiled kernels.
 * This catches math whose bits depend on the tier: the Vector API's {@code lanewise(EXP)} (and TANH, LOG) runs
 * {@code Math.exp} per lane in the interpreter and C1 but a vector library (SVML) in C2, which rounds differently;
 * with it, the two runs below differ in the last bits of the first loss. The model has every heavy op
 * (exp in softmax and sigmoid, tanh, log in log-softmax, erf in gelu) on rows wider than a vector.
 */
@Timeout(300)
class ReproducibleAcrossJitTiersTest {
    static final String MODEL = """
        model Rec {
          input  ids: i32[batch, 12]
          label  next: i32[batch, 12]
          layer  emb = embedding(40, 24)
          layer  rec = lstm(24, 48, return_sequences = true)
          layer  mid = dense(48, 48)
          layer  head = dense(48, 40)
          output logits = ids |> emb |> rec |> mid |> gelu |> head
          loss = softmax_cross_entropy(logits, next)
          train { optimizer: adam(lr = 0.01), batch: 16 }
        }
        """;

    @AfterAll
    static void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void coldAndWarmRunsAreBitIdentical() {
        Parallel.setThreads(2);
        ManyThreadsTest.Run cold = ManyThreadsTest.train(MODEL, 3);
        // warm-up: enough steps that C2 compiles the kernels (thousands of calls and loop iterations each)
        long end = System.nanoTime() + 20_000_000_000L;
        for (int i = 0; i < 60 && System.nanoTime() < end; i++) ManyThreadsTest.train(MODEL, 20);
        ManyThreadsTest.Run warm = ManyThreadsTest.train(MODEL, 3);
        cold.assertSame(warm, "cold (interpreter/C1) vs warm (C2) run");
    }
}
