package dev.ingot.bench.libtorch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * libtorch 2.7.1's SGEMM (MKL) and convolution (oneDNN) on the shapes of Ingot's MatMulBench / Conv2dBench, for
 * benchmarks/kernels.sh. Same shape syntax: {@code MxKxN:ab}, C[M,N] = op(A) @ op(B), a/b = n (stored as is) or t
 * (stored transposed; passed to torch::matmul as a transposed view, so MKL gets the transpose flag and nothing is
 * copied); b = p (Ingot's B packed once beforehand) is an ordinary B here. Convolutions: {@code conv1.forward}, {@code conv2.forward} and {@code .train} = forward + backward to
 * the input and the weight (3x the forward FLOPs), batch 64. The secondary {@code kflop} counter is GFLOP/s.
 *
 * <p>Every call allocates its output tensor (torch::matmul has no out= variant in DJL) and frees it; at these sizes
 * that is a few percent at most. Run through {@code run_djl.sh --kernels THREADS} (thread environment, MKL path).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class LibtorchKernelBench {

    @Param({"128x784x256:nn", "32x256x1024:nn", "256x2048x1024:tn", "conv2.forward"})
    public String shape;

    @Param({"1"})
    public int threads;

    private NDManager manager;
    private NDArray a;
    private NDArray b;
    private NDArray w;
    private long kflopPerCall;
    private int kind;

    @Setup(Level.Trial)
    public void setUp() {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        manager = Engine.getEngine("PyTorch").newBaseManager();
        if (shape.startsWith("conv")) {
            String[] p = shape.split("\\.");
            boolean first = p[0].equals("conv1");
            int cin = first ? 1 : 32;
            int hw = first ? 28 : 26;
            int cout = first ? 32 : 64;
            int out = hw - 2;
            a = manager.randomUniform(-1, 1, new Shape(64, cin, hw, hw));
            w = manager.randomUniform(-1, 1, new Shape(cout, cin, 3, 3));
            b = manager.zeros(new Shape(cout));
            kind = p[1].equals("forward") ? 1 : 2;
            double fwd = 2.0 * 64 * cout * cin * 9 * out * out;
            kflopPerCall = Math.round((kind == 1 ? fwd : 3 * fwd) / 1000);
            if (kind == 2) {
                a.setRequiresGradient(true);
                w.setRequiresGradient(true);
            }
            return;
        }
        String[] parts = shape.split(":");
        String[] d = parts[0].split("x");
        int m = Integer.parseInt(d[0]);
        int k = Integer.parseInt(d[1]);
        int n = Integer.parseInt(d[2]);
        boolean ta = parts[1].charAt(0) == 't';
        boolean tb = parts[1].charAt(1) == 't';  // 'p' (Ingot's pre-packed B) is a plain B for libtorch
        NDArray as = manager.randomUniform(-0.5f, 0.5f, ta ? new Shape(k, m) : new Shape(m, k));
        NDArray bs = manager.randomUniform(-0.5f, 0.5f, tb ? new Shape(n, k) : new Shape(k, n));
        a = ta ? as.transpose() : as;
        b = tb ? bs.transpose() : bs;
        kflopPerCall = Math.round(2.0 * m * n * k / 1000.0);
        kind = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
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
    public long run(Flops flops) {
        long h;
        switch (kind) {
            case 0:
                try (NDArray c = a.matMul(b)) {
                    h = c.getShape().get(0);
                }
                break;
            case 1:
                try (NDScope s = new NDScope()) {
                    h = Conv2d.conv2d(a, w, b).singletonOrThrow().getShape().get(1);
                }
                break;
            default:
                try (NDScope s = new NDScope()) {
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray y = Conv2d.conv2d(a, w, b).singletonOrThrow();
                        gc.backward(y);
                    }
                    h = 1;
                }
                break;
        }
        flops.kflop += kflopPerCall;
        return h;
    }
}
