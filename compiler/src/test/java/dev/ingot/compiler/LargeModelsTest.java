package dev.ingot.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ingot.compiler.diag.CompileError;
import dev.ingot.compiler.frontend.SourceFile;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13: compile time linear in the size of the model. {@code repeat(1000, dense, ...)} took 94 s
 * and 10,000 nested calls 108 s to check, because javaparser's class printer re-sorted all members
 * for each member and the memory planner scanned every stored value for each kernel. The timeouts
 * only guard against a hang; speed is measured outside the tests. {@code check} runs everything but
 * the printing of the Java source ({@link Compiler#check}).
 */
class LargeModelsTest {
    /** Runs {@code job} in a thread with a stack of {@code bytes}. */
    static <T> T withStack(long bytes, Callable<T> job) throws Exception {
        FutureTask<T> task = new FutureTask<>(job);
        Thread t = new Thread(null, task, "large-model", bytes);
        t.start();
        return task.get();
    }

    @Test @Timeout(600)
    void aThousandRepeatedLayersCheck() throws Exception {
        String m = "model R {\n  input x: f32[batch, 8]\n  label y: i32[batch]\n  layer blocks = repeat(1000, dense, 8, 8)\n"
                + "  output logits = blocks(x)\n  loss = softmax_cross_entropy(logits, y)\n  train {\n    optimizer: sgd(lr = 0.1)\n  }\n}\n";
        withStack(64 << 20, () -> {
            Compiler.check(SourceFile.of("r.ingot", null, m, true), Compiler.Options.defaults());
            return null;
        });
    }

    @Test @Timeout(600)
    void tenThousandNestedCallsCheck() throws Exception {
        String m = "model D {\n  input x: f32[batch, 8]\n  output y = " + "relu(".repeat(10_000) + "x" + ")".repeat(10_000) + "\n}\n";
        withStack(64 << 20, () -> {
            Compiler.check(SourceFile.of("d.ingot", null, m, true), Compiler.Options.defaults());
            return null;
        });
    }

    @Test
    void nestingBeyondTheStackIsAPositionedError() throws Exception {
        String m = "model D {\n  input x: f32[batch, 8]\n  output y = " + "relu(".repeat(50_000) + "x" + ")".repeat(50_000) + "\n}\n";
        CompileError e = withStack(256 << 10, () -> assertThrows(CompileError.class,
                () -> Compiler.compile(SourceFile.of("d.ingot", null, m, true), Compiler.Options.defaults())));
        assertEquals("the model nests too deeply (50000 levels of brackets) for this thread's stack", e.getMessage());
        assertEquals("3:" + (14 + 5 * 49_999 + 4), e.loc().line() + ":" + (e.loc().col() + 1));
    }
}
