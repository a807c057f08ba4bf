package dev.ingot.bench;

import dev.ingot.runtime.exec.Parallel;
import dev.ingot.runtime.kernels.Conv2d;
import dev.ingot.runtime.kernels.Conv2dAlgo;
import dev.ingot.runtime.kernels.Conv2dShape;
import dev.ingot.runtime.kernels.Pool2d;
import dev.ingot.runtime.kernels.Pool2dShape;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * Time per call of the convolution and pooling kernels on the {@code cnn} workload (Keras mnist_cnn) at batch 64:
 * <ul>
 *   <li>{@code conv1}: 1x28x28 -> 32x26x26, 3x3 valid (2 * 64 * 32 * 9 * 676 = 24.9 MFLOP per call);</li>
 *   <li>{@code conv2}: 32x26x26 -> 64x24x24, 3x3 valid (2 * 64 * 64 * 288 * 576 = 1359 MFLOP per call);</li>
 *   <li>{@code pool}: 2x2 stride-2 max pooling of 64x24x24 (2.36 M inputs).</li>
 * </ul>
 * Each convolution is run as forward, backwardInput and backwardWeight (the same FLOP count each). GFLOP/s =
 * MFLOP per call / milliseconds per call / 1000; see benchmarks/CONV.md for a table.
 *
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests
 * java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar Conv2dBench
 * java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar Conv2dBench \
 *      -p op=conv2.forward -p threads=1 -p algo=GEMM,DIRECT        # compare the algorithms
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseG1GC"})
@State(Scope.Benchmark)
public class Conv2dBench {

    @Param({
        "conv1.forward", "conv1.backwardInput", "conv1.backwardWeight",
        "conv2.forward", "conv2.backwardInput", "conv2.backwardWeight",
        "pool.maxForward", "pool.maxBackward",
    })
    public String op;

    @Param({"1", "2"})
    public int threads;

    /** {@code AUTO}, {@code GEMM}, {@code DIRECT} or {@code SCALAR} (ignored by the pooling ops). */
    @Param({"AUTO"})
    public String algo;

    @Param({"64"})
    public int batch;

    static final Conv2dShape CONV1 = new Conv2dShape(1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1);
    static final Conv2dShape CONV2 = new Conv2dShape(32, 26, 26, 64, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1);
    static final Pool2dShape POOL = Pool2dShape.of(64, 24, 24, 2, 2, 0);

    private Conv2dShape shape;
    private Conv2dAlgo alg;
    private int kind;
    private float[] x;
    private float[] w;
    private float[] y;
    private float[] dx;
    private float[] dw;

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        alg = Conv2dAlgo.valueOf(algo);
        String[] parts = op.split("\\.");
        SplittableRandom r = new SplittableRandom(42);
        if (parts[0].equals("pool")) {
            shape = null;
            kind = parts[1].equals("maxForward") ? 3 : 4;
            x = random(r, batch * POOL.inSize());
            y = random(r, batch * POOL.outSize());
            dx = new float[x.length];
            return;
        }
        shape = parts[0].equals("conv1") ? CONV1 : CONV2;
        switch (parts[1]) {
            case "forward": kind = 0; break;
            case "backwardInput": kind = 1; break;
            case "backwardWeight": kind = 2; break;
            default: throw new IllegalArgumentException("op " + op);
        }
        x = random(r, batch * shape.inSize());
        w = random(r, shape.weightSize());
        y = random(r, batch * shape.outSize());
        dx = new float[x.length];
        dw = new float[w.length];
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    @Benchmark
    public float run() {
        switch (kind) {
            case 0:
                Conv2d.forward(x, 0, w, 0, y, 0, shape, batch, alg);
                return y[0];
            case 1:
                Conv2d.backwardInput(y, 0, w, 0, dx, 0, shape, batch, alg);
                return dx[0];
            case 2:
                Conv2d.backwardWeight(x, 0, y, 0, dw, 0, shape, batch, alg);
                return dw[0];
            case 3:
                Pool2d.maxForward(x, 0, y, 0, POOL, batch);
                return y[0];
            default:
                Pool2d.maxBackward(x, 0, y, 0, dx, 0, POOL, batch);
                return dx[0];
        }
    }
}
