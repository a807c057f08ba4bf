package dev.ingot.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FP32 FMA peak of one core as the JVM reaches it: 16 independent {@code FloatVector.fma} chains of the
 * preferred species (512-bit on AVX-512), no memory traffic. 16 chains hide an FMA latency of up to 8 cycles on
 * 2 FMA pipes. The {@code kflop} counter is GFLOP/s (2 FLOPs per lane per FMA). benchmarks/kernels.sh reports it
 * as the peak beside the GEMM figures.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseG1GC"})
@State(Scope.Benchmark)
public class PeakBench {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int STEPS = 4096;
    private final float[] seed = new float[F.length() * 2];

    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < seed.length; i++) {
            seed[i] = 1f - 1e-7f * i;
        }
    }

    @Benchmark
    public float fma(MatMulBench.Flops flops) {
        FloatVector x = FloatVector.fromArray(F, seed, 0);
        FloatVector y = FloatVector.fromArray(F, seed, F.length());
        FloatVector a0 = y, a1 = y, a2 = y, a3 = y, a4 = y, a5 = y, a6 = y, a7 = y;
        FloatVector a8 = y, a9 = y, a10 = y, a11 = y, a12 = y, a13 = y, a14 = y, a15 = y;
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(x, y); a1 = a1.fma(x, y); a2 = a2.fma(x, y); a3 = a3.fma(x, y);
            a4 = a4.fma(x, y); a5 = a5.fma(x, y); a6 = a6.fma(x, y); a7 = a7.fma(x, y);
            a8 = a8.fma(x, y); a9 = a9.fma(x, y); a10 = a10.fma(x, y); a11 = a11.fma(x, y);
            a12 = a12.fma(x, y); a13 = a13.fma(x, y); a14 = a14.fma(x, y); a15 = a15.fma(x, y);
        }
        flops.kflop += 16L * STEPS * F.length() * 2 / 1000;
        FloatVector s = a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7)))
                .add(a8.add(a9).add(a10.add(a11)).add(a12.add(a13).add(a14.add(a15))));
        return s.lane(0);
    }
}
