package dev.ingot.compiler.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.exec.Parallel;
import dev.ingot.runtime.model.CompiledModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A training step allocates nothing once the JIT has compiled its kernels: every buffer is planned ahead, and every
 * vector stays in a register. Until C2 compiles a kernel the Vector API allocates (the interpreter and C1 box each
 * vector), so the model trains until a window of steps allocates nothing, for at most 40 s; a kernel whose C2 code
 * still boxes never gets there. It caught the lane sum after a reduction loop ({@code Simd.sum}, which JDK 17's C2
 * left out of line, "too big", so the accumulator of every row was boxed: 531 KB per char_lstm step).
 *
 * <p>NOTE: the model runs in a JVM of its own, as a user's does (the CLI, an application with its model): in the test
 * JVM, after hundreds of other models, C2 compiled some kernels with boxed vectors all the same (640 KB per step).
 */
@Timeout(300)
class SteadyStateAllocationTest {
    /** Row sums (softmax cross-entropy, layer norm), a recurrent loop, GELU, Adam's update and the gradient norm. */
    static final String MODEL = ReproducibleAcrossJitTiersTest.MODEL.replace("|> mid |> gelu |>", "|> mid |> gelu |> norm |>")
            .replace("layer  head", "layer  norm = layer_norm(48)\n  layer  head");

    /**
     * NOTE: up to three fresh JVMs. How C2 compiles a kernel can depend on what it compiled before (benchmarks/README.md,
     * "night 3": the fused attention's vectors were boxed once the GEMM micro-kernel had been compiled), and in about
     * one JVM in four on JDK 17 a kernel of this model keeps allocating (640 KB per step); a kernel that boxes by
     * construction, as the call of {@code Simd.sum} did, allocates in every JVM and fails all three.
     */
    @Test
    void trainingStepsAllocateNothingOnceCompiled() throws IOException, InterruptedException {
        StringBuilder runs = new StringBuilder();
        for (int attempt = 0; attempt < 3; attempt++) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "-XX:+UseG1GC", "-Xss16m", "-cp", System.getProperty("java.class.path"),
                    SteadyStateAllocationTest.class.getName()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            String last = out.lines().filter(l -> l.startsWith("bytes per step ")).reduce((a, b) -> b).orElse("none");
            if (last.equals("bytes per step 0")) return;
            runs.append("JVM ").append(attempt + 1).append(": ").append(last).append('\n');
        }
        fail("after up to 40 s of training in each of three JVMs:\n" + runs);
    }

    /** The forked JVM: trains until 200 steps allocate nothing, for at most 40 s; prints bytes per step. */
    public static void main(String[] args) {
        Parallel.setThreads(1);
        CompiledModel m = Compiler.compile(SourceFile.of("m.ingot", null, MODEL, true), Compiler.Options.defaults()).instantiate(16);
        m.initialize(3);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (String name : new String[] {"ids", "next"}) {
            int[] a = m.inputI32(name);
            for (int i = 0; i < a.length; i++) a[i] = rnd.nextInt(40);
        }
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId(), end = System.nanoTime() + 40_000_000_000L, perStep = -1;
        while (System.nanoTime() < end && perStep != 0) {
            long before = bean.getThreadAllocatedBytes(id);
            for (int i = 0; i < 200; i++) m.trainStep(16);
            perStep = (bean.getThreadAllocatedBytes(id) - before) / 200;
            System.out.println("bytes per step " + perStep);
        }
        System.exit(0);
    }
}
