package dev.ingot.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.cli.Main;
import dev.ingot.spark.cli.SparkTrainCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ingot spark-train} as a user meets it: the train block's data, the summary, the saved model, usage errors. */
class SparkTrainCommandTest {
    @TempDir Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        LocalSpark.session();   // the tests' session (the command leaves a running session alone)
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(new SparkTrainCommand(), new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void trainsTheMnistMlpOnTwoTasksFromTheTrainBlocksData() throws Exception {
        Path save = tmp.resolve("mlp.safetensors");
        Run r = run(MnistFixture.MODEL.toString(), "--tasks", "2", "--master", "local[2]", "--limit-train", "2048", "--epochs", "1", "--save", save.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().startsWith("MnistMlp (" + MnistFixture.MODEL + "): 235,146 parameters, sgd, global batch 128 on 2 task(s) (local[2])"), r.out());
        assertTrue(r.out().contains("epoch 1: train_loss "), r.out());
        assertTrue(r.out().contains("trained 16 steps in "), r.out());
        assertTrue(r.out().contains("940,588 bytes sent per step by each task"), r.out());
        Matcher m = Pattern.compile("test_accuracy (0\\.\\d+) \\(10,000 examples").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(1)) > 0.8, r.out());
        assertTrue(Files.size(save) > 4 * 235_146, "checkpoint written");
    }

    @Test
    void usageErrorsAreOneLineWithoutAStackTrace() {
        Run r = run(MnistFixture.MODEL.toString(), "--tasks", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--tasks must be at least 1, got 0"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        Run missing = run(tmp.resolve("nope.ingot").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such model file"), missing.err());
    }
}
