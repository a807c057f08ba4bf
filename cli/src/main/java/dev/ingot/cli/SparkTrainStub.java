package dev.ingot.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ingot spark-train}: listed here so that {@code ingot --help} shows it; the command lives in the
 * spark module ({@code dev.ingot.spark.cli.SparkTrainCommand}), which {@code bin/ingot} runs with Spark's
 * jars (see {@link SparkPredictStub}).
 */
@Command(name = "spark-train", mixinStandardHelpOptions = true, description = "Train a model data-parallel on Apache Spark: one replica per task, gradients averaged "
        + "every step by a ring all-reduce (bin/ingot adds Spark for this command; `bin/ingot spark-train --help` shows its options).")
final class SparkTrainStub implements Callable<Integer> {
    @Parameters(arity = "0..*", hidden = true) List<String> ignored;

    @Override public Integer call() {
        throw new Errors.UsageException("spark-train needs Spark on the class path: run it as bin/ingot spark-train ... "
                + "(bin/ingot builds the spark module and adds Spark's jars for this command only)");
    }
}
