package dev.ingot.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/** Batch inference over a DataFrame on a real Spark in local mode (local[2]: two tasks at once in this JVM). */
class SparkPredictorTest {
    private final SparkSession spark = LocalSpark.session();
    private final MnistFixture mnist = MnistFixture.get();
    static final Path TINY = Path.of("src/test/resources/tiny.ingot");

    /**
     * An .ingot file compiled on the driver, shipped as class files, weights from a checkpoint: the
     * logits of every row equal bit for bit those of predict in process on the same class, although
     * Spark batches the rows differently (two shuffled partitions, batches of 100).
     */
    @Test
    void compiledFileAndCheckpointScoreExactlyAsPredictInProcess() throws Exception {
        Dataset<Row> scored = SparkPredictor.of(mnist.code).load(mnist.checkpoint).batchSize(100)
                .transform(mnist.testFrame(spark));
        assertEquals(List.of("id", "pixels", "digit", "logits", "prediction"), List.of(scored.columns()));
        List<Row> rows = scored.orderBy("id").collectAsList();
        assertEquals(MnistFixture.TEST_ROWS, rows.size());

        CompiledModel local = Compiler.compile(SourceFile.read(MnistFixture.MODEL), Compiler.Options.defaults().withTraining(false)).instantiate(256);
        local.load(mnist.checkpoint);
        float[] expected = mnist.logitsInProcess(local, 256);
        int correct = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            assertEquals(i, r.getLong(0));
            List<Float> logits = r.getList(3);
            assertEquals(10, logits.size());
            for (int k = 0; k < 10; k++)
                assertEquals(Float.floatToIntBits(expected[i * 10 + k]), Float.floatToIntBits(logits.get(k)), "row " + i + " logit " + k);
            assertEquals(Tensor.argmax(expected, i * 10, 10), r.getInt(4));
            if (r.getInt(4) == r.getInt(2)) correct++;
        }
        double accuracy = correct / (double) rows.size();
        assertTrue(accuracy > 0.85, "accuracy " + accuracy);
    }

    /**
     * The live model just trained on the driver (a training class, with optimizer state): only the
     * parameters are shipped, and the predictions equal its own predict.
     */
    @Test
    void weightsOfALiveModelShipParametersOnly() {
        SparkPredictor p = SparkPredictor.of(ModelCode.of(mnist.training.classFiles())).weights(mnist.trained);
        Dataset<Row> scored = p.transform(mnist.testFrame(spark)).select("id", "logits").orderBy("id");
        assertEquals(4 * mnist.trained.spec().parameterCount(), p.weightBytes());
        float[] expected = mnist.logitsInProcess(mnist.trained.sharingParameters(128), 128);
        List<Row> rows = scored.collectAsList();
        for (int i = 0; i < rows.size(); i++) {
            List<Float> logits = rows.get(i).getList(1);
            for (int k = 0; k < 10; k++) assertEquals(expected[i * 10 + k], logits.get(k), 0f, "row " + i + " logit " + k);
        }
    }

    /**
     * Inputs from one numeric column per value (doubles for an f32 input, ints and longs for an i32
     * one), and a one-value output as a float column: {@code s = x0 + x1 + x2 + (number of ids equal to 3)}.
     */
    @Test
    void oneNumericColumnPerValueAndAScalarOutput() {
        ModelCode tiny = ModelCode.compile(TINY);
        CompiledModel weights = tiny.newInstance(1);
        weights.initialize(7);
        StructType schema = new StructType().add("a", DataTypes.DoubleType).add("b", DataTypes.DoubleType).add("c", DataTypes.FloatType)
                .add("i0", DataTypes.IntegerType).add("i1", DataTypes.LongType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) rows.add(RowFactory.create(i * 0.5, -1.0 + i, 0.25f, i % 4, (long) (i % 3 + 1)));
        Dataset<Row> scored = SparkPredictor.of(tiny).weights(weights).batchSize(16)
                .columns("x", List.of("a", "b", "c")).columns("ids", List.of("i0", "i1"))
                .transform(spark.createDataFrame(rows, schema).repartition(3));
        assertEquals("a:double,b:double,c:float,i0:int,i1:bigint,y:array<float>,s:float",
                String.join(",", java.util.Arrays.stream(scored.schema().fields()).map(f -> f.name() + ":" + f.dataType().simpleString()).toList()));
        CompiledModel local = weights.sharingParameters(1);
        for (Row r : scored.collectAsList()) {
            float[] x = {(float) r.getDouble(0), (float) r.getDouble(1), r.getFloat(2)};
            int threes = (r.getInt(3) == 3 ? 1 : 0) + (r.getLong(4) == 3 ? 1 : 0);
            assertEquals(x[0] + x[1] + x[2] + threes, r.getFloat(6), 1e-5f, r.toString());
            System.arraycopy(x, 0, local.inputF32("x"), 0, 3);
            local.inputI32("ids")[0] = r.getInt(3);
            local.inputI32("ids")[1] = (int) r.getLong(4);
            local.predict(1);
            List<Float> y = r.getList(5);
            // batch 1 here, batches of up to 16 there: a 3-wide dot product may take another kernel path (1 ulp)
            assertEquals(local.output(0)[0], y.get(0), 1e-6f * Math.max(1, Math.abs(y.get(0))));
            assertEquals(local.output(0)[1], y.get(1), 1e-6f * Math.max(1, Math.abs(y.get(1))));
        }
    }

    @Test
    void integerInputRefusesFractionalColumnsAndCountsColumns() {
        SparkPredictor p = SparkPredictor.of(ModelCode.compile(TINY)).weights(ModelCode.compile(TINY).newInstance(1));
        StructType schema = new StructType().add("a", DataTypes.DoubleType).add("b", DataTypes.DoubleType).add("c", DataTypes.DoubleType)
                .add("i0", DataTypes.DoubleType).add("i1", DataTypes.IntegerType);
        Dataset<Row> frame = spark.createDataFrame(List.of(RowFactory.create(1.0, 2.0, 3.0, 1.0, 2)), schema);
        var e = assertThrows(InputColumnException.class, () -> p.columns("x", List.of("a", "b", "c")).columns("ids", List.of("i0", "i1")).transform(frame));
        assertEquals("column 'i0' is double, but input ids: i32[batch, 2] takes integers: give integer column (cast it)", e.getMessage());
        var e2 = assertThrows(InputColumnException.class, () -> p.columns("x", List.of("a", "b")).transform(frame));
        assertTrue(e2.getMessage().startsWith("input x: f32[batch, 3] takes 3 values per example, but is bound to 2 numeric columns (a, b)"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> p.column("z", "a"));
        assertEquals("model Tiny has no input 'z'; its inputs: x: f32[batch, 3], ids: i32[batch, 2]", e3.getMessage());
    }

    @Test
    void missingColumnIsNamedWithTheColumnsThereAre() throws Exception {
        SparkPredictor p = SparkPredictor.of(mnist.code).load(mnist.checkpoint);
        Dataset<Row> frame = mnist.testFrame(spark).withColumnRenamed("pixels", "image");
        var e = assertThrows(InputColumnException.class, () -> p.transform(frame));
        assertEquals("input pixels: f32[batch, 784] reads column 'pixels', which the DataFrame does not have; its columns: id, image, digit"
                + " (name the column of an input with SparkPredictor.column(input, column))", e.getMessage());
        assertNotNull(p.column("pixels", "image").transform(frame));
    }

    @Test
    void wrongTypeIsRefusedBeforeTheJobRuns() throws Exception {
        SparkPredictor p = SparkPredictor.of(mnist.code).load(mnist.checkpoint);
        Dataset<Row> frame = mnist.testFrame(spark).withColumn("pixels", functions.lit("a picture"));
        var e = assertThrows(InputColumnException.class, () -> p.transform(frame));
        assertEquals("column 'pixels' is string, but input pixels: f32[batch, 784] takes numbers: give numeric column", e.getMessage());
    }

    @Test
    void arrayOfTheWrongLengthFailsTheTaskNamingColumnAndRow() throws Exception {
        SparkPredictor p = SparkPredictor.of(mnist.code).load(mnist.checkpoint);
        Dataset<Row> frame = mnist.testFrame(spark).filter("id < 20").withColumn("pixels", functions.slice(functions.col("pixels"), 1, 783));
        Dataset<Row> scored = p.transform(frame);
        Exception e = assertThrows(Exception.class, scored::collectAsList);
        InputColumnException cause = InputColumnException.find(e);
        assertNotNull(cause, "cause chain of " + e);
        assertTrue(cause.getMessage().matches("column 'pixels' \\(for input pixels: f32\\[batch, 784]\\): row 0 of partition \\d+ has 783 values; the model takes 784 per example"),
                cause.getMessage());
    }

    @Test
    void outputColumnThatExistsIsRefused() throws Exception {
        SparkPredictor p = SparkPredictor.of(mnist.code).load(mnist.checkpoint);
        Dataset<Row> frame = mnist.testFrame(spark).withColumn("Logits", functions.lit(1));
        var e = assertThrows(InputColumnException.class, () -> p.transform(frame));
        assertTrue(e.getMessage().startsWith("the DataFrame already has a column 'Logits', where output logits would go"), e.getMessage());
        assertEquals(List.of("id", "pixels", "digit", "Logits", "scores", "prediction"), List.of(p.outputColumn("logits", "scores").transform(frame).columns()));
    }
}
