package dev.ingot.spark;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The MNIST MLP of dsl-examples, trained briefly in process (one pass over 6,000 training images, a
 * second or two) and saved, and a few hundred test images as a DataFrame {@code id, pixels, digit}.
 * Built once per test JVM.
 */
final class MnistFixture {
    static final Path MODEL = Path.of("../dsl-examples/mnist_mlp.ingot");
    static final Path MNIST = Path.of("../dsl-examples/data/mnist");
    static final int TEST_ROWS = 600;

    final Compiler.Result training;
    /** The model file compiled for inference on the driver, to ship ({@link ModelCode#compile}). */
    final ModelCode code;
    final CompiledModel trained;
    final Path checkpoint;
    final Dataset test;

    private static MnistFixture instance;

    static synchronized MnistFixture get() {
        if (instance == null) instance = new MnistFixture();
        return instance;
    }

    private MnistFixture() {
        try {
            code = ModelCode.compile(MODEL);
            training = Compiler.compile(SourceFile.read(MODEL), Compiler.Options.defaults());
            trained = training.instantiate(128);
            trained.initialize(42);
            Dataset train = Dataset.idxImages(MNIST, "train", 1 / 255f).limit(6000);
            test = Dataset.idxImages(MNIST, "test", 1 / 255f).limit(TEST_ROWS);
            new Trainer(trained).options(Trainer.Options.defaults().withEpochs(1).withSeed(1).withEvalEachEpoch(false)).fit(train, test);
            Path dir = Files.createTempDirectory("ingot-spark-test");
            dir.toFile().deleteOnExit();
            checkpoint = dir.resolve("mnist_mlp.safetensors");
            trained.save(checkpoint);
            checkpoint.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private org.apache.spark.sql.Dataset<Row> frame;

    /** The test images as rows {@code id: long, pixels: array<float> (784), digit: int}, in two partitions (cached). */
    synchronized org.apache.spark.sql.Dataset<Row> testFrame(SparkSession spark) {
        if (frame == null || frame.sparkSession() != spark) frame = makeFrame(spark).cache();
        return frame;
    }

    private org.apache.spark.sql.Dataset<Row> makeFrame(SparkSession spark) {
        float[] px = test.field("image").f32();
        int[] labels = test.field("label").i32();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            Float[] p = new Float[784];
            for (int j = 0; j < 784; j++) p[j] = px[i * 784 + j];
            rows.add(RowFactory.create((long) i, java.util.Arrays.asList(p), labels[i]));
        }
        StructType schema = new StructType()
                .add("id", DataTypes.LongType, false)
                .add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false)
                .add("digit", DataTypes.IntegerType, false);
        return spark.createDataFrame(rows, schema).repartition(2);
    }

    /** Output 0 (logits) of {@code model} on every test image, predicted in process in batches of {@code batch}. */
    float[] logitsInProcess(CompiledModel model, int batch) {
        float[] px = test.field("image").f32();
        float[] out = new float[test.size() * 10];
        for (int from = 0; from < test.size(); from += batch) {
            int n = Math.min(batch, test.size() - from);
            System.arraycopy(px, from * 784, model.inputF32("pixels"), 0, n * 784);
            model.predict(n);
            System.arraycopy(model.output(0), 0, out, from * 10, n * 10);
        }
        return out;
    }
}
