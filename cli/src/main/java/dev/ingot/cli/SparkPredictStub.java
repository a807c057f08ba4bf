package dev.ingot.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ingot spark-predict}: listed here so that {@code ingot --help} shows it; the command itself
 * lives in the spark module ({@code dev.ingot.spark.cli.SparkPredictCommand}) and needs Spark's jars,
 * which only that verb puts on the class path: {@code bin/ingot} runs it directly. Reaching this class
 * means the cli was started without them.
 */
@Command(name = "spark-predict", mixinStandardHelpOptions = true, description = "Score a DataFrame (Parquet, CSV or JSON) with a trained model on Apache Spark "
        + "(bin/ingot adds Spark for this command; `bin/ingot spark-predict --help` shows its options).")
final class SparkPredictStub implements Callable<Integer> {
    @Parameters(arity = "0..*", hidden = true) List<String> ignored;

    @Override public Integer call() {
        throw new Errors.UsageException("spark-predict needs Spark on the class path: run it as bin/ingot spark-predict ... "
                + "(bin/ingot builds the spark module and adds Spark's jars for this command only)");
    }
}
