package dev.ingot.runtime.train;

import dev.ingot.runtime.data.Binding;
import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.io.Json;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.ModelSpec;
import dev.ingot.runtime.model.TensorSpec;
import dev.ingot.runtime.testing.SoftmaxModel;
import dev.ingot.runtime.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    private static final int D = 8, C = 4;
    private static final Dataset ALL = SoftmaxModel.blobs(2500, D, C, 11);
    private static final Dataset TRAIN = ALL.subset(0, 2000), TEST = ALL.subset(2000, 2500);

    private static SoftmaxModel model(long seed) {
        SoftmaxModel m = new SoftmaxModel("softmax", D, C, 64, 32, 3, 0.05f);
        m.initialize(seed);
        return m;
    }

    @Test
    void learnsSeparableData() {
        SoftmaxModel m = model(1);
        TrainResult r = new Trainer(m).options(Trainer.Options.defaults().withSeed(3)).fit(TRAIN, TEST);
        assertEquals(3, r.epochs(), "epochs from the model's train block");
        assertEquals(32, r.batchSize(), "batch size from the model's train block");
        assertEquals(3, r.history().size());
        assertEquals(3 * 63, m.trainSteps, "2000 examples = 62 full batches + 1 partial, per epoch");
        assertTrue(r.history().get(0).trainLoss() > r.history().get(2).trainLoss(), "loss goes down");
        assertTrue(r.testAccuracy() > 0.95, "accuracy " + r.testAccuracy());
        assertTrue(r.testLoss() < 0.3, "test loss " + r.testLoss());
        assertEquals(r.history().get(2).trainLoss(), r.trainLoss());
        assertEquals(r.history().get(2).testAccuracy(), r.testAccuracy());
        assertEquals("softmax", r.model());
        assertEquals(D * C + C, r.parameters());
        assertEquals(2000, r.trainExamples());
        assertEquals(500, r.testExamples());
        assertTrue(r.trainExamplesPerSecond() > 0);
        assertTrue(r.seconds() > 0);
    }

    @Test
    void progressLinesWhenNotInteractive() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        new Trainer(model(1)).options(Trainer.Options.defaults().withEpochs(2)).progress(new Progress(out, Progress.Mode.LINES)).fit(TRAIN, TEST);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), "one summary line per quick epoch: " + lines);
        for (int e = 0; e < 2; e++) {
            String line = lines.get(e);
            assertTrue(line.matches("epoch " + (e + 1) + "/2: train_loss \\d+\\.\\d{4}  test_loss \\d+\\.\\d{4}  test_accuracy [01]\\.\\d{4}  "
                    + "[\\d,]+ ex/s  \\d+\\.\\d s"), line);
        }
    }

    @Test
    void limitTrainAndEvalOnlyAtTheEnd() {
        SoftmaxModel m = model(1);
        TrainResult r = new Trainer(m).options(Trainer.Options.defaults().withLimitTrain(100).withLimitTest(50).withEpochs(2)
                .withEvalEachEpoch(false)).fit(TRAIN, TEST);
        assertEquals(2 * 4, m.trainSteps, "100 examples in batches of 32: 4 steps per epoch");
        assertEquals(100, r.trainExamples());
        assertEquals(50, r.testExamples());
        assertTrue(Double.isNaN(r.history().get(0).testLoss()), "no evaluation after epoch 1");
        assertFalse(Double.isNaN(r.history().get(1).testLoss()));
        assertFalse(Double.isNaN(r.testAccuracy()));
    }

    /** A softmax model that has the schedule's state scalar, to see what the trainer plans. */
    private static SoftmaxModel scheduled() {
        SoftmaxModel m = new SoftmaxModel("softmax", D, C, 64, 32, 3, 0.05f) {
            final float[] total = new float[1];
            @Override public ModelSpec spec() {
                ModelSpec s = super.spec();
                List<TensorSpec> state = new java.util.ArrayList<>(s.state());
                state.add(new TensorSpec(dev.ingot.runtime.model.TrainConfig.TOTAL_STEPS, DType.F32, new int[] {1}));
                return new ModelSpec(s.name(), s.source(), s.inputs(), s.labels(), s.outputs(), s.params(), state, s.train());
            }
            @Override public float[] state(String name) {
                return name.equals(dev.ingot.runtime.model.TrainConfig.TOTAL_STEPS) ? total : super.state(name);
            }
        };
        m.initialize(1);
        return m;
    }

    @Test
    void trainsForANumberOfSteps() {
        SoftmaxModel m = scheduled();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress lines = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), Progress.Mode.LINES).testLabel("val");
        TrainResult r = new Trainer(m).options(Trainer.Options.defaults().withSteps(150).withEvalEvery(60).withSeed(3)).progress(lines)
                .fit(TRAIN, TEST);
        // 2000 examples in batches of 32 = 63 steps an epoch: 150 steps take 3 passes, the last cut short
        assertEquals(150, m.trainSteps);
        assertEquals(150f, m.state(dev.ingot.runtime.model.TrainConfig.TOTAL_STEPS)[0], "the schedule plans 150 steps");
        assertEquals(150, r.steps());
        assertTrue(r.bySteps());
        assertEquals(3, r.epochs(), "passes over the data begun");
        assertEquals(List.of(60, 120, 150), r.history().stream().map(EpochStats::step).toList(), "evaluated every 60 steps and at the end");
        assertEquals(r.history().get(2).testLoss(), r.testLoss());
        assertTrue(r.testAccuracy() > 0.95, "accuracy " + r.testAccuracy());
        List<String> out = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, out.size(), "one summary line per evaluation of a quick run: " + out);
        assertTrue(out.get(0).matches("step 60/150: train_loss \\d+\\.\\d{4}  val_loss \\d+\\.\\d{4}  val_accuracy [01]\\.\\d{4}  [\\d,]+ ex/s  \\d+\\.\\d s"),
                out.get(0));
        assertTrue(out.get(2).startsWith("step 150/150: "), out.get(2));
        Map<String, Object> json = r.toMap(1);
        assertEquals(150, json.get("steps"));
        assertEquals(60, ((Map<?, ?>) ((List<?>) json.get("history")).get(0)).get("step"));

        SoftmaxModel epochs = scheduled();
        TrainResult byEpochs = new Trainer(epochs).options(Trainer.Options.defaults().withEpochs(2)).fit(TRAIN, null);
        assertEquals(126f, epochs.state(dev.ingot.runtime.model.TrainConfig.TOTAL_STEPS)[0], "2 epochs of 63 steps");
        assertEquals(126, byEpochs.steps());
        assertFalse(byEpochs.bySteps());
    }

    @Test
    void stepsFewerThanAnEpochAndTheSameBatchesAsEpochs() {
        SoftmaxModel a = model(1), b = model(1);
        TrainResult ra = new Trainer(a).options(Trainer.Options.defaults().withSteps(63 + 10).withSeed(4)).fit(TRAIN, null);
        assertEquals(1, ra.history().size(), "no evalEvery: one segment");
        assertTrue(Double.isNaN(ra.testLoss()));
        new Trainer(b).options(Trainer.Options.defaults().withEpochs(1).withSeed(4)).fit(TRAIN, null);
        SoftmaxModel c = model(1);
        new Trainer(c).options(Trainer.Options.defaults().withSteps(63).withSeed(4)).fit(TRAIN, null);
        assertArrayEquals(b.param("w"), c.param("w"), "63 steps = one epoch, the same shuffled batches");
        assertEquals(73, a.trainSteps);
        assertThrows(IllegalArgumentException.class, () -> Trainer.Options.defaults().withSteps(-1));
    }

    @Test
    void dropLastAndBatchSizeOption() {
        SoftmaxModel m = model(1);
        TrainResult r = new Trainer(m).options(Trainer.Options.defaults().withEpochs(1).withBatchSize(64).withDropLast(true)).fit(TRAIN, null);
        assertEquals(31, m.trainSteps, "2000 / 64 = 31 full batches");
        assertEquals(31 * 64, r.trainExamples());
        assertTrue(Double.isNaN(r.testLoss()));
        assertTrue(Double.isNaN(r.testAccuracy()));
        assertEquals(0, r.testExamples());
    }

    @Test
    void deterministicForASeed() {
        SoftmaxModel a = model(1), b = model(1), c = model(1);
        Trainer.Options o = Trainer.Options.defaults().withEpochs(2).withSeed(5);
        TrainResult ra = new Trainer(a).options(o).fit(TRAIN, null);
        TrainResult rb = new Trainer(b).options(o).fit(TRAIN, null);
        TrainResult rc = new Trainer(c).options(o.withSeed(6)).fit(TRAIN, null);
        assertEquals(ra.history().get(1).trainLoss(), rb.history().get(1).trainLoss());
        assertArrayEquals(a.param("w"), b.param("w"));
        assertNotEquals(ra.history().get(1).trainLoss(), rc.history().get(1).trainLoss());
    }

    @Test
    void evaluateWeighsBatchesBySize() {
        SoftmaxModel m = model(1);
        new Trainer(m).options(Trainer.Options.defaults().withEpochs(1)).fit(TRAIN, null);
        SoftmaxModel big = new SoftmaxModel("softmax", D, C, 500, 32, 3, 0.05f);
        for (String name : m.tensors().keySet()) System.arraycopy(m.tensors().get(name), 0, big.tensors().get(name), 0, m.tensors().get(name).length);
        Trainer.Evaluation small = Trainer.evaluate(m, TEST, Binding.auto()); // 7 batches of 64 + 1 of 52
        Trainer.Evaluation whole = Trainer.evaluate(big, TEST, Binding.auto()); // one batch of 500
        assertEquals(whole.loss(), small.loss(), 1e-5);
        assertEquals(whole.accuracy(), small.accuracy());
        assertEquals(500, small.examples());
        assertEquals(small.loss(), new Trainer(m).evaluate(TEST).loss());
    }

    @Test
    void clearErrors() {
        SoftmaxModel m = model(1);
        Dataset wrongSize = SoftmaxModel.blobs(10, 5, C, 1);
        DataFormatException e = assertThrows(DataFormatException.class, () -> new Trainer(m).fit(wrongSize, null));
        assertEquals("data field 'features' has 5 values per example (f32[5]), but model input 'x' expects f32[batch, 8] = 8", e.getMessage());
        e = assertThrows(DataFormatException.class, () -> new Trainer(m).fit(TRAIN, wrongSize));
        assertTrue(e.getMessage().startsWith("data field 'features' has 5 values"), "a bad test set fails before training");
        assertEquals(0, m.trainSteps);
        e = assertThrows(DataFormatException.class,
                () -> new Trainer(m).options(Trainer.Options.defaults().withDropLast(true)).fit(TRAIN.limit(10), null));
        assertEquals("no training batches: 10 examples is less than one batch of 32 with drop-last", e.getMessage());
        IllegalArgumentException iae = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(m).options(Trainer.Options.defaults().withBatchSize(65)).fit(TRAIN, null));
        assertEquals("batch size 65 is larger than the model's maxBatch 64 (create the model with maxBatch >= 65)", iae.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Trainer.Options.defaults().withEpochs(-1));
    }

    @Test
    void anErrorMidEpochEndsTheBarLine() {
        SoftmaxModel failing = new SoftmaxModel("softmax", D, C, 64, 32, 1, 0.05f) {
            @Override public float trainStep(int n) {
                if (trainSteps == 3) throw new IllegalStateException("boom");
                return super.trainStep(n);
            }
        };
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress bar = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), Progress.Mode.BAR);
        assertThrows(IllegalStateException.class, () -> new Trainer(failing).progress(bar).fit(TRAIN, null));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("\repoch 1/1  [") && out.endsWith("\n"), out);
    }

    @Test
    void accuracyApplicability() {
        int B = TensorSpec.BATCH;
        TensorSpec seqOut = new TensorSpec("logits", DType.F32, new int[] {B, 16, 65});
        TensorSpec seqLabel = new TensorSpec("next", DType.I32, new int[] {B, 16});
        Trainer.Accuracy a = Trainer.Accuracy.of(spec(List.of(seqLabel), List.of(seqOut)));
        assertEquals(new Trainer.Accuracy("next", 65, 16), a, "sequence labels: one row per position");
        assertNull(Trainer.Accuracy.of(spec(List.of(new TensorSpec("y", DType.F32, new int[] {B, 1})),
                List.of(new TensorSpec("p", DType.F32, new int[] {B, 1})))), "regression");
        Trainer.Accuracy binary = Trainer.Accuracy.of(spec(List.of(new TensorSpec("y", DType.I32, new int[] {B})),
                List.of(new TensorSpec("p", DType.F32, new int[] {B, 1}))));
        assertEquals(new Trainer.Accuracy("y", 1, 1), binary, "a single logit and an i32 label: a binary classifier");
        assertEquals(3, binary.countBinary(new float[] {2.5f, -0.1f, 0.3f, -4f}, new int[] {1, 0, 0, 0}, 4), "logit > 0 predicts 1");
        assertEquals(new Trainer.Accuracy("y", 1, 1), Trainer.Accuracy.of(spec(List.of(new TensorSpec("y", DType.I32, new int[] {B})),
                List.of(new TensorSpec("p", DType.F32, new int[] {B})))), "output [batch]");
        assertNull(Trainer.Accuracy.of(spec(List.of(), List.of(seqOut))), "no label");
    }

    private static ModelSpec spec(List<TensorSpec> labels, List<TensorSpec> outputs) {
        return new ModelSpec("m", null, List.of(), labels, outputs, List.of(), List.of(), null);
    }

    @Test
    void writesMetricsJson(@TempDir Path dir) throws IOException {
        TrainResult r = new Trainer(model(1)).options(Trainer.Options.defaults().withEpochs(2)).fit(TRAIN, null);
        Path p = dir.resolve("out/metrics.json");
        r.writeMetrics(p, 2, Map.of("compile_seconds", 1.5));
        Map<?, ?> m = (Map<?, ?>) Json.parse(Files.readString(p));
        assertEquals(r.trainLoss(), (Double) m.get("train_loss"), 1e-12);
        assertTrue(m.containsKey("test_loss"));
        assertNull(m.get("test_loss"), "NaN is written as null");
        assertNull(m.get("test_accuracy"));
        assertEquals(2L, m.get("epochs"));
        assertEquals(2L, m.get("threads"));
        assertEquals("softmax", m.get("model"));
        assertEquals(1.5, m.get("compile_seconds"));
        assertTrue(((String) m.get("jdk")).startsWith(System.getProperty("java.version")));
        assertTrue((Double) m.get("train_examples_per_second") > 0);
        assertEquals(2, ((List<?>) m.get("history")).size());
        assertEquals(2L, ((Map<?, ?>) ((List<?>) m.get("history")).get(1)).get("epoch"));
    }

    @Test
    void stepLoopAllocatesNothing() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) mx;
        org.junit.jupiter.api.Assumptions.assumeTrue(bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled());
        Dataset data = SoftmaxModel.blobs(2000, 2, 2, 1);
        SoftmaxModel m = new SoftmaxModel("tiny", 2, 2, 1000, 2, 1, 0.01f);
        m.initialize(0);
        java.util.function.IntToLongFunction allocatedFor = batch -> {
            Trainer t = new Trainer(m).options(Trainer.Options.defaults().withBatchSize(batch).withEpochs(1))
                    .progress(new Progress(new PrintStream(new ByteArrayOutputStream()), Progress.Mode.LINES));
            long before = bean.getThreadAllocatedBytes(Thread.currentThread().getId());
            t.fit(data, null);
            return bean.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        };
        allocatedFor.applyAsLong(2); // warm up
        long twoSteps = allocatedFor.applyAsLong(1000), thousandSteps = allocatedFor.applyAsLong(2);
        assertTrue(thousandSteps - twoSteps < 4096, "1000 steps allocated " + thousandSteps + " bytes, 2 steps " + twoSteps);
    }

    @Test
    void realMnistSoftmaxRegression() throws IOException {
        Path dir = TestData.shared("mnist");
        Dataset train = Dataset.idxImages(dir, "train", 1 / 255f).limit(6000);
        Dataset test = Dataset.idxImages(dir, "test", 1 / 255f).limit(2000);
        SoftmaxModel m = new SoftmaxModel("mnist-softmax", 784, 10, 100, 100, 2, 0.1f);
        m.initialize(0);
        // (a NumPy re-implementation of this loop reaches 0.87; plain softmax regression tops out near 0.92)
        TrainResult r = new Trainer(m).options(Trainer.Options.defaults().withSeed(1)).fit(train, test); // binds image->x, label->y
        System.out.printf("MNIST softmax regression, 6000 examples x 2 epochs: test accuracy %.4f%n", r.testAccuracy());
        assertTrue(r.testAccuracy() > 0.85, "accuracy " + r.testAccuracy());
    }
}
