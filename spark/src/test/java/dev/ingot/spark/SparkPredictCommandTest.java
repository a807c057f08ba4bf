package dev.ingot.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.cli.Main;
import dev.ingot.spark.cli.SparkPredictCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ingot spark-predict} as a user meets it: files in and out, the summary, exit codes, messages without stack traces. */
class SparkPredictCommandTest {
    @TempDir Path tmp;
    private final SparkSession spark = LocalSpark.session();
    private final MnistFixture mnist = MnistFixture.get();

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(new SparkPredictCommand(), new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void scoresAParquetTableAndReportsAccuracy() {
        String in = tmp.resolve("images.parquet").toString(), out = tmp.resolve("scored").toString();
        mnist.testFrame(spark).write().parquet(in);
        Run r = run(MnistFixture.MODEL.toString(), "--load", mnist.checkpoint.toString(), "--input", in, "--output", out,
                "--keep", "id,digit", "--label", "digit", "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("scored 600 rows in "), r.out());
        assertTrue(r.out().contains("weights broadcast: 940,584 bytes; wrote " + out + " (parquet: id, digit, logits, prediction)"), r.out());
        Matcher m = Pattern.compile("accuracy (0\\.\\d+) \\((\\d+) of 600 rows: prediction = digit\\)").matcher(r.out());
        assertTrue(m.find(), r.out());
        long right = spark.read().parquet(out).filter("prediction = digit").count();
        assertEquals(right, Long.parseLong(m.group(2)));
        assertTrue(Double.parseDouble(m.group(1)) > 0.85, r.out());
    }

    @Test
    void csvWithOneColumnPerValueInAndOut() throws Exception {
        Path in = tmp.resolve("t.csv");
        Files.writeString(in, "id,v0,v1,v2,k0,k1\n1,0.5,1.5,2,3,3\n2,-1,0,1,0,2\n");
        Path ckpt = tmp.resolve("tiny.safetensors");
        var model = ModelCode.compile(SparkPredictorTest.TINY).newInstance(1);
        model.initialize(3);
        model.save(ckpt);
        String out = tmp.resolve("out").toString();
        Run r = run(SparkPredictorTest.TINY.toString(), "--load", ckpt.toString(), "--input", in.toString(), "--output", out,
                "--column", "x=v*", "--column", "ids=k0,k1", "--keep", "id", "--output-format", "csv", "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        List<Row> rows = spark.read().option("header", "true").option("inferSchema", "true").csv(out).orderBy("id").collectAsList();
        assertEquals(2, rows.size());
        assertEquals(6.0, rows.get(0).getDouble(2), 1e-5);   // 0.5 + 1.5 + 2 + two ids equal to 3
        assertEquals(0.0, rows.get(1).getDouble(2), 1e-5);
        assertEquals(2, rows.get(0).getString(1).split(" ").length, "y as two space-separated numbers: " + rows.get(0));
    }

    @Test
    void aColumnOfTheWrongShapeIsOneMessage() {
        String in = tmp.resolve("short.json").toString();
        mnist.testFrame(spark).filter("id < 5").selectExpr("id", "slice(pixels, 1, 700) as pixels").write().json(in);
        Run r = run(MnistFixture.MODEL.toString(), "--load", mnist.checkpoint.toString(), "--input", in, "--format", "json",
                "--output", tmp.resolve("o").toString(), "--master", "local[2]");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().matches("error: column 'pixels' \\(for input pixels: f32\\[batch, 784]\\): row 0 of partition \\d+ has 700 values; the model takes 784 per example\\s*"), r.err());
        // JSON numbers are doubles: accepted for an f32 input
    }

    @Test
    void aMissingColumnNamesTheOption() {
        String in = tmp.resolve("renamed.parquet").toString();
        mnist.testFrame(spark).filter("id < 5").withColumnRenamed("pixels", "image").write().parquet(in);
        Run r = run(MnistFixture.MODEL.toString(), "--load", mnist.checkpoint.toString(), "--input", in, "--output", tmp.resolve("o").toString());
        assertEquals(1, r.code(), r.err());
        assertEquals("error: input pixels: f32[batch, 784] reads column 'pixels', which the DataFrame does not have; its columns: id, image, digit"
                + " (choose an input's columns with --column INPUT=COL, INPUT=C1,C2,... or INPUT=PREFIX*)\n", r.err());
        assertEquals(0, run(MnistFixture.MODEL.toString(), "--load", mnist.checkpoint.toString(), "--input", in, "--output", tmp.resolve("o").toString(),
                "--column", "pixels=image").code());
    }

    @Test
    void usageErrorsBeforeSparkStarts() {
        Run noLoad = run(MnistFixture.MODEL.toString(), "--input", "x.parquet", "--output", "o");
        assertEquals(2, noLoad.code());
        assertTrue(noLoad.err().startsWith("error: Missing required option: '--load=CKPT'"), noLoad.err());
        Run noInput = run(MnistFixture.MODEL.toString(), "--load", mnist.checkpoint.toString(), "--input", tmp.resolve("nope.parquet").toString(), "--output", "o");
        assertEquals(2, noInput.code());
        assertEquals("error: --input: no such file or directory: " + tmp.resolve("nope.parquet") + "\n", noInput.err());
        Run badFormat = run(MnistFixture.MODEL.toString(), "--load", mnist.checkpoint.toString(), "--input", tmp.toString(), "--output", "o", "--output-format", "xlsx");
        assertEquals(2, badFormat.code());
        assertFalse(badFormat.err().contains("\tat "), badFormat.err());
    }

    @Test
    void aDslErrorIsShownWithItsLine() throws Exception {
        Path bad = tmp.resolve("bad.ingot");
        Files.writeString(bad, "model M {\n  input x: f32[batch, 4]\n  output y = rleu(x)\n}\n");
        Run r = run(bad.toString(), "--load", mnist.checkpoint.toString(), "--input", tmp.toString(), "--output", tmp.resolve("o").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith(bad + ":3:14: error: unknown name 'rleu'; did you mean 'relu'?"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void labelNeedsAClassifierAndItsColumn() throws Exception {
        Path ckpt = tmp.resolve("tiny.safetensors");
        var model = ModelCode.compile(SparkPredictorTest.TINY).newInstance(1);
        model.initialize(3);
        model.save(ckpt);
        Path in = tmp.resolve("t.csv");
        Files.writeString(in, "v0,v1,v2,k0,k1,digit\n1,2,3,0,1,1\n");
        Run notClassifier = run(SparkPredictorTest.TINY.toString(), "--load", ckpt.toString(), "--input", in.toString(), "--output", tmp.resolve("o").toString(),
                "--column", "x=v*", "--column", "ids=k0,k1", "--label", "digit");
        assertEquals(2, notClassifier.code(), notClassifier.err());
        assertEquals("error: --label: the model is not a classifier (no prediction column to compare)\n", notClassifier.err());
        assertFalse(Files.exists(tmp.resolve("o")), "nothing written");
    }
}
