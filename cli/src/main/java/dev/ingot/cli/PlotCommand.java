package dev.ingot.cli;

import dev.ingot.runtime.io.Json;
import dev.ingot.runtime.train.TrainingPlot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ingot plot metrics.json -o curves.png}: the loss and metric curves of a run written by {@code train --metrics}. */
@Command(name = "plot", mixinStandardHelpOptions = true, description = "Draw the training curves (train and test loss, test accuracy or MSE, per epoch or evaluation) of a metrics file written by train --metrics, as a PNG.")
final class PlotCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "METRICS.json") Path metrics;
    @Option(names = {"-o", "--output"}, paramLabel = "FILE.png", required = true, description = "The PNG to write.") Path png;

    @Override public Integer call() throws Exception {
        if (!Files.isRegularFile(metrics)) throw new Errors.UsageException("no such metrics file: " + metrics);
        Object json;
        try {
            json = Json.parse(Files.readString(metrics));
        } catch (RuntimeException e) {
            throw new dev.ingot.runtime.io.DataFormatException(metrics + ": not a metrics file (not JSON: " + e.getMessage() + ")", e);
        }
        if (!(json instanceof Map<?, ?> m)) throw new dev.ingot.runtime.io.DataFormatException(metrics + ": not a metrics file (expected a JSON object)");
        TrainingPlot.write(png, TrainingPlot.Series.fromMetrics(metrics.toString(), m));
        System.out.println("wrote " + png);
        return 0;
    }
}
