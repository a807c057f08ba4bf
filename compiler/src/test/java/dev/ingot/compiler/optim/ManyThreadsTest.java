package dev.ingot.compiler.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.exec.Parallel;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The runtime's pool with more threads than cores (16 on the 2 of CI): training steps of a CNN and a transformer
 * still match the float64 interpreter (and a bidirectional LSTM, its directions side by side); the same seed and thread count give bit-identical losses and weights; and two
 * models trained at once from two application threads get exactly the results they get alone. (Across JIT tiers:
 * {@link ReproducibleAcrossJitTiersTest}.)
 */
@Timeout(300)
class ManyThreadsTest {
    /** Big enough that the pool splits its kernels 16 ways (24 images, 8-16 channels). */
    static final String CNN = """
        model Cnn {
          input  img: f32[batch, 3, 12, 12]
          label  y: i32[batch]
          layer  c1 = conv2d(3, 8, 3, padding = "same")
          layer  n1 = batch_norm(8)
          layer  c2 = conv2d(8, 16, 3, stride = 2)
          layer  fc = dense(400, 5)
          output logits = img |> c1 |> n1 |> relu |> c2 |> relu |> dropout(0.2) |> flatten |> fc
          loss = softmax_cross_entropy(logits, y)
          train { optimizer: sgd(lr = 0.05, momentum = 0.9), batch: 24 }   // not Adam: c1.b feeds batch norm (gradient 0 + noise)
        }
        """;

    static final String TRANSFORMER = """
        model Tf {
          input  ids: i32[batch, 16]
          label  next: i32[batch, 16]
          layer  tok = embedding(11, 32)
          param  pos: [16, 32] = normal(std = 0.02)
          layer  blocks = repeat(2, transformer_block, 32, 4, 64)
          layer  ln = layer_norm(32)
          layer  head = dense(32, 11)
          output logits = blocks(tok(ids) + pos, mask = causal_mask(16)) |> ln |> head
          loss = softmax_cross_entropy(logits, next)
          train { optimizer: adamw(lr = 0.01), schedule: cosine(warmup = 2), clip: 1.0, batch: 16 }
        }
        """;

    @AfterAll
    static void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void stepsAtSixteenThreadsMatchTheInterpreter() {
        Parallel.setThreads(16);
        StepCheck.run(ModelStepTest.CNN, 5, 2, 3, true);
        StepCheck.run(CNN, 24, 2, 5, true);
        StepCheck.run(TransformerTrainStepTest.model("optimizer: adam(lr = 0.01)"), 3, 2, 9, true, "blocks.0.attn.k.b", "blocks.1.attn.k.b");
        // wide enough that the LSTM step's gate kernels run as one region split by rows across the threads
        StepCheck.run(ScheduleDecisionsTest.LSTM.replace("lstm(5, 20)", "lstm(5, 128)").replace("dense(20, 9)", "dense(128, 9)"), 12, 2, 9, true);
    }

    /**
     * The two directions of a bidirectional LSTM run side by side, one thread each, at 2-4 threads (and one after
     * the other, each split across the threads, at more): the training step matches the interpreter either way.
     */
    @Test
    void bidirectionalLoopsSideBySideMatchTheInterpreter() {
        for (int threads : new int[] {2, 3, 5}) {
            Parallel.setThreads(threads);
            StepCheck.run(ModelStepTest.LSTM, 4, 3, 3, true);
            StepCheck.run(BILSTM, 8, 2, 9, true);
        }
    }

    /** Wide enough that each direction's step would be split across threads if it ran alone. */
    static final String BILSTM = ScheduleDecisionsTest.LSTM.replace("lstm(5, 20)", "bidirectional(lstm(5, 64), merge = \"concat\")")
            .replace("dense(20, 9)", "dense(128, 9)");

    /**
     * A batch smaller than the pool (batch-1 inference, a batch of 2 on 3 threads): a recurrent step's product by the
     * packed weight splits by columns instead of rows (JavaEmitter: {@code kN_regionSmall}), with the same bits as one
     * thread, for the LSTM and for the GRU (whose product carries its bias as an epilogue), training and predicting.
     */
    @Test
    void batchesSmallerThanThePoolGiveTheBitsOfOneThread() {
        for (String cell : List.of("lstm(5, 128)", "gru(5, 128)")) {
            String model = ScheduleDecisionsTest.LSTM.replace("lstm(5, 20)", cell).replace("dense(20, 9)", "dense(128, 9)").replace("batch: 4", "batch: 2");
            Parallel.setThreads(1);
            Run one = train(model, 3);
            float[] predictOne = predictOne(model);
            Parallel.setThreads(3);
            one.assertSame(train(model, 3), cell + ", batch 2 at 1 and 3 threads");
            float[] predictThree = predictOne(model);
            for (int i = 0; i < predictOne.length; i++)
                assertEquals(Float.floatToIntBits(predictOne[i]), Float.floatToIntBits(predictThree[i]), cell + ", batch-1 prediction " + i + " at 1 and 3 threads");
        }
    }

    private static float[] predictOne(String source) {
        CompiledModel m = COMPILED.computeIfAbsent(source, s -> Compiler.compile(SourceFile.of("m.ingot", null, s, true), Compiler.Options.defaults())).instantiate(1);
        m.initialize(7);
        int[] ids = m.inputI32("ids");
        for (int i = 0; i < ids.length; i++) ids[i] = (i * 5 + 3) % 9;
        m.predict(1);
        return m.output(0).clone();
    }

    @Test
    void sameSeedAndThreadsGiveTheSameTraining() {
        for (int threads : new int[] {2, 16}) {
            Parallel.setThreads(threads);
            for (String model : List.of(CNN, TRANSFORMER, BILSTM)) {
                Run a = train(model, 4), b = train(model, 4);
                a.assertSame(b, threads + " threads");
            }
        }
    }

    @Test
    void twoModelsTrainedAtOnceFromTwoThreadsGetTheirLoneResults() throws Exception {
        Parallel.setThreads(3);
        Run cnnAlone = train(CNN, 6), tfAlone = train(TRANSFORMER, 6);
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 1; round++) {
                Future<Run> cnn = callers.submit(() -> train(CNN, 6));
                Future<Run> tf = callers.submit(() -> train(TRANSFORMER, 6));
                cnnAlone.assertSame(cnn.get(), "CNN trained beside the transformer");
                tfAlone.assertSame(tf.get(), "transformer trained beside the CNN");
            }
        } finally {
            callers.shutdownNow();
        }
    }

    /** Losses of each step and the final parameters. */
    record Run(List<Float> losses, List<String> names, List<float[]> params) {
        /** Bit for bit. */
        void assertSame(Run o, String what) {
            for (int i = 0; i < losses.size(); i++) {
                assertEquals(Float.floatToIntBits(losses.get(i)), Float.floatToIntBits(o.losses.get(i)),
                        what + ": loss of step " + i + " " + losses.get(i) + " vs " + o.losses.get(i));
            }
            for (int p = 0; p < params.size(); p++) {
                for (int i = 0; i < params.get(p).length; i++) {
                    assertEquals(Float.floatToIntBits(params.get(p)[i]), Float.floatToIntBits(o.params.get(p)[i]),
                            what + ": " + names.get(p) + " element " + i + " " + params.get(p)[i] + " vs " + o.params.get(p)[i]);
                }
            }
        }
    }

    /** Each model is compiled once; every run trains a fresh instance. */
    private static final java.util.Map<String, Compiler.Result> COMPILED = new java.util.concurrent.ConcurrentHashMap<>();

    static Run train(String source, int steps) {
        Compiler.Result r = COMPILED.computeIfAbsent(source,
                s -> Compiler.compile(SourceFile.of("m.ingot", null, s, true), Compiler.Options.defaults()));
        int batch = r.model().train().batch();
        CompiledModel m = r.instantiate(batch);
        m.initialize(7);
        if (m.spec().state().stream().anyMatch(s -> s.name().equals("opt.total_steps"))) {
            m.state("opt.total_steps")[0] = steps;
        }
        SplittableRandom rnd = new SplittableRandom(11);
        List<Float> losses = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            List<TensorSpec> ins = new ArrayList<>(m.spec().inputs());
            ins.addAll(m.spec().labels());
            for (TensorSpec in : ins) {
                if (in.dtype() == DType.I32) {
                    int[] a = m.inputI32(in.name());
                    for (int i = 0; i < a.length; i++) a[i] = rnd.nextInt(5);
                } else {
                    float[] a = m.inputF32(in.name());
                    for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
                }
            }
            losses.add(m.trainStep(batch));
        }
        List<float[]> params = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (TensorSpec p : m.spec().params()) {
            names.add(p.name());
            params.add(m.param(p.name()).clone());
        }
        return new Run(losses, names, params);
    }
}
