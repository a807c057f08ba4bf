package dev.ingot.bench;

import dev.ingot.runtime.exec.Parallel;
import dev.ingot.runtime.kernels.Aligned;
import dev.ingot.runtime.kernels.MatMul;
import dev.ingot.runtime.kernels.MatMulPacked;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SGEMM throughput of {@link MatMul#matmul} on the shapes of an MLP training step (batch 128), a small CNN and
 * batch-1 inference, at 1 and 2 pool threads.
 *
 * <p>Shapes are {@code MxKxN:ab}: C[M,N] = op(A)[M,K] @ op(B)[K,N], with {@code a}/{@code b} = {@code n} (as stored)
 * or {@code t} (stored transposed); {@code b} = {@code p} runs {@link MatMulPacked#matmul} with B packed once
 * before the timing (what a recurrent layer's per-step product does with its weights). One call does
 * {@code 2*M*N*K} floating-point operations.
 *
 * <p>Reading the output: the primary score is calls per microsecond; the secondary {@code kflop} counter is
 * kilo-FLOPs per microsecond, i.e. <b>GFLOP/s</b> (the count per call is rounded to whole kFLOPs, an error below
 * 0.2% for every shape here).
 *
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar MatMulBench                 # all shapes, 1 and 2 threads
 * java -jar benchmarks/target/benchmarks.jar MatMulBench -p shape=128x784x256:nn -p threads=2
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseG1GC"})
@State(Scope.Benchmark)
public class MatMulBench {

    @Param({
        // MLP forward (batch 128): 784 -> 256 -> 128 -> 10
        "128x784x256:nn", "128x256x128:nn", "128x128x10:nn",
        // MLP backward, weights: dW = X^T @ dY
        "784x128x256:tn", "256x128x128:tn", "128x128x10:tn",
        // MLP backward, data: dX = dY @ W^T
        "128x10x128:nt", "128x128x256:nt", "128x256x784:nt",
        // CNN / other, and transposed variants
        "64x9216x128:nn", "64x128x10:nn", "32x256x1024:nn", "64x9216x128:nt", "32x256x1024:tn",
        // recurrent step at batch 32 with the weights packed once per training step (LSTM 4x256 gates)
        "32x256x1024:np", "32x1024x256:np",
        // batch-1 inference
        "1x784x256:nn", "1x784x256:nt",
        // cubes
        "64x64x64:nn", "256x256x256:nn", "1024x1024x1024:nn",
    })
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int m;
    private int n;
    private int k;
    private boolean transA;
    private boolean transB;
    private long kflopPerCall;
    private float[] a;
    private float[] b;
    private float[] c;
    private float[] packed;
    private static final int P = Aligned.PAD;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split(":");
        String[] dims = parts[0].split("x");
        m = Integer.parseInt(dims[0]);
        k = Integer.parseInt(dims[1]);
        n = Integer.parseInt(dims[2]);
        transA = parts[1].charAt(0) == 't';
        transB = parts[1].charAt(1) == 't';
        kflopPerCall = Math.round(2.0 * m * n * k / 1000.0);
        SplittableRandom rnd = new SplittableRandom(42);
        // NOTE: 64-byte aligned from element Aligned.PAD on, as the generated code's arena and packed weights are
        a = Aligned.floats(m * k);
        b = Aligned.floats(k * n);
        c = Aligned.floats(m * n);
        for (int i = 0; i < m * k; i++) {
            a[P + i] = (float) (rnd.nextDouble() - 0.5);
        }
        for (int i = 0; i < k * n; i++) {
            b[P + i] = (float) (rnd.nextDouble() - 0.5);
        }
        if (parts[1].charAt(1) == 'p') {
            transB = false;
            packed = Aligned.floats(MatMulPacked.size(k, n));
            MatMulPacked.pack(b, P, false, k, n, packed, P);
        }
        Parallel.setThreads(threads);
    }

    /** Secondary result: kFLOP per microsecond = GFLOP/s. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Flops {
        public long kflop;

        @Setup(Level.Iteration)
        public void reset() {
            kflop = 0;
        }
    }

    @Benchmark
    public float[] matmul(Flops flops) {
        if (packed != null) {
            MatMulPacked.matmul(a, P, transA, packed, P, c, P, m, n, k, false);
        } else {
            MatMul.matmul(a, P, transA, b, P, transB, c, P, m, n, k, false);
        }
        flops.kflop += kflopPerCall;
        return c;
    }
}
