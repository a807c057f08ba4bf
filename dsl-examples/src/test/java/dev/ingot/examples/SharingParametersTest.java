package dev.ingot.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code sharingParameters()} on every example: instances predicting concurrently, one per thread,
 * give the original's predictions, with the original's non-trainable state (batch norm's running
 * statistics, set here to values unlike the fresh ones, as after training).
 */
class SharingParametersTest {
    static Stream<String> examples() throws Exception {
        try (Stream<Path> s = Files.list(Examples.file("mnist_mlp.ingot").toAbsolutePath().getParent())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ingot")).sorted().toList().stream();
        }
    }

    @ParameterizedTest @MethodSource("examples")
    void copiesPredictLikeTheOriginalConcurrently(String example) throws Exception {
        int batch = 3;
        CompiledModel base = Compiler.compile(SourceFile.read(Examples.file(example)), Compiler.Options.defaults().withTraining(false)).instantiate(batch);
        base.initialize(5);
        SplittableRandom rnd = new SplittableRandom(11);
        for (TensorSpec s : base.spec().state()) {
            float[] v = base.state(s.name());
            if (!s.name().startsWith("opt.")) for (int i = 0; i < v.length; i++) v[i] = (float) (0.5 + rnd.nextDouble());
        }
        for (TensorSpec in : base.spec().inputs()) {
            if (in.dtype() == DType.F32) {
                float[] x = base.inputF32(in.name());
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextDouble();
            } else {
                int[] x = base.inputI32(in.name());
                for (int i = 0; i < x.length; i++) x[i] = rnd.nextInt(2);
            }
        }
        base.predict(batch);
        int outputs = base.spec().outputs().size();
        List<float[]> expected = new ArrayList<>();
        for (int o = 0; o < outputs; o++) expected.add(base.output(o).clone());

        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                CompiledModel mine = base.sharingParameters(batch);
                for (TensorSpec s : base.spec().state())
                    if (!s.name().startsWith("opt.")) assertSame(base.state(s.name()), mine.state(s.name()), s.name() + " is shared");
                for (TensorSpec in : base.spec().inputs()) {
                    if (in.dtype() == DType.F32) System.arraycopy(base.inputF32(in.name()), 0, mine.inputF32(in.name()), 0, base.inputF32(in.name()).length);
                    else System.arraycopy(base.inputI32(in.name()), 0, mine.inputI32(in.name()), 0, base.inputI32(in.name()).length);
                }
                jobs.add(pool.submit(() -> {
                    for (int round = 0; round < 5; round++) {
                        mine.predict(batch);
                        for (int o = 0; o < outputs; o++) {
                            int n = base.spec().outputs().get(o).numelPerExample() * batch;
                            float[] want = java.util.Arrays.copyOf(expected.get(o), n), got = java.util.Arrays.copyOf(mine.output(o), n);
                            for (int i = 0; i < n; i++) assertArrayEquals(new float[] {want[i]}, new float[] {got[i]}, 1e-5f * Math.max(1, Math.abs(want[i])),
                                    example + " output " + o + " [" + i + "]");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) f.get();
        } finally {
            pool.shutdownNow();
        }
    }
}
