package dev.ingot.spark.cli;

import dev.ingot.cli.Errors;
import dev.ingot.cli.Main;
import dev.ingot.cli.Models;
import dev.ingot.runtime.data.Binding;
import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.TensorSpec;
import dev.ingot.runtime.model.TrainConfig;
import dev.ingot.runtime.train.Trainer;
import dev.ingot.spark.DataParallelTrainer;
import dev.ingot.spark.InputColumnException;
import dev.ingot.spark.ModelCode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ingot spark-train MODEL.ingot [--input TABLE] --tasks N --save CKPT}: synchronous data-parallel
 * training on Spark ({@link DataParallelTrainer}); without {@code --input}, the train block's data,
 * read on the driver and split among the tasks. {@code bin/ingot} runs this class with Spark's jars.
 */
@Command(name = "spark-train", mixinStandardHelpOptions = true, version = "ingot spark-train 0.1.0",
        description = {"Train a model data-parallel on Apache Spark: one replica per task (barrier mode), the gradients averaged",
                "every step by a ring all-reduce between the tasks, the same update in every replica.",
                "The data: --input (a table with a column per model input and label) or else the train block's data, read on the driver."},
        footer = {"", "Examples:",
                "  bin/ingot spark-train dsl-examples/mnist_mlp.ingot --master local[2] --tasks 2 --save mlp.safetensors",
                "  bin/ingot spark-train model.ingot --input hdfs:///data/train.parquet --master spark://HOST:7077 --tasks 8 --checkpoint /shared/ck.safetensors"})
public final class SparkTrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.ingot", description = "The model file (it needs a train block).") Path model;
    @Option(names = "--input", paramLabel = "PATH", description = "Training table (Parquet, CSV, JSON), a column per model input and label named as in the model (default: the train block's data).") String input;
    @Option(names = "--format", paramLabel = "FMT", description = "Input format: parquet, csv or json (default: from the extension, else parquet).") String format;
    @Option(names = "--tasks", paramLabel = "N", defaultValue = "2", description = "Replicas (barrier tasks); the master needs that many task slots (default: ${DEFAULT-VALUE}).") int tasks;
    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the data (default: the train block's).") int epochs;
    @Option(names = "--steps", paramLabel = "N", description = "Train this many steps instead of epochs.") int steps;
    @Option(names = "--batch", paramLabel = "N", description = "Global batch over all tasks, divisible by --tasks (default: the train block's).") int batch;
    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Initial weights and data order (default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--threads-per-task", paramLabel = "N", defaultValue = "1", description = "Kernel threads in each executor JVM (default: ${DEFAULT-VALUE}).") int threads;
    @Option(names = "--average-every", paramLabel = "K", defaultValue = "1", description = "1: average gradients every step; K: average parameters every K steps (less traffic).") int averageEvery;
    @Option(names = "--checkpoint", paramLabel = "CKPT", description = "Task 0 writes this checkpoint every --checkpoint-every steps and at the end; a run that finds it resumes from it. Must be visible to every executor.") Path checkpoint;
    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "0", description = "Steps between checkpoints (default: at the end only).") int checkpointEvery;
    @Option(names = "--save", paramLabel = "CKPT", description = "Write the trained model here (on the driver) at the end.") Path save;
    @Option(names = "--limit-train", paramLabel = "N", description = "Use the first N training examples of the train block's data.") int limitTrain;
    @Option(names = "--master", paramLabel = "URL", defaultValue = "local[2]", description = "Spark master (default: ${DEFAULT-VALUE}).") String master;
    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting (repeatable).") Map<String, String> conf = new LinkedHashMap<>();

    @Spec CommandSpec spec;

    public static void main(String[] args) {
        System.exit(Main.execute(new SparkTrainCommand(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    @Override public Integer call() throws Exception {
        Models.read(model);
        if (tasks < 1) throw new Errors.UsageException("--tasks must be at least 1, got " + tasks);
        if (epochs < 0 || steps < 0 || batch < 0 || limitTrain < 0 || checkpointEvery < 0) throw new Errors.UsageException("--epochs, --steps, --batch, --limit-train and --checkpoint-every must not be negative");
        if (threads < 1 || threads > 256) throw new Errors.UsageException("--threads-per-task must be from 1 to 256, got " + threads);
        if (averageEvery < 1) throw new Errors.UsageException("--average-every must be at least 1, got " + averageEvery);
        if (input != null && limitTrain > 0) throw new Errors.UsageException("--limit-train applies to the train block's data, not to --input");
        String inFormat = input == null ? null : format != null ? format.toLowerCase(Locale.ROOT) : SparkPredictCommand.formatOf(input);
        if (inFormat != null) SparkPredictCommand.checkFormat("--format", inFormat);
        Path localIn = input == null ? null : SparkPredictCommand.localPath(input);
        if (localIn != null && !Files.exists(localIn)) throw new Errors.UsageException("--input: no such file or directory: " + input);

        long t0 = System.nanoTime();
        ModelCode code = DataParallelTrainer.compile(model);
        CompiledModel probe = code.newInstance(1);
        TrainConfig tc = probe.spec().train();
        if (tc == null) throw new Errors.UsageException(model + " has no train block: nothing to train");
        Dataset local = null, test = null;
        if (input == null) {
            if (tc.data() == null) throw new Errors.UsageException(model + ": no data source: add one to the train block or pass --input TABLE");
            Path base = model.toAbsolutePath().getParent();
            local = Dataset.load(tc.data(), base, "train");
            if (limitTrain > 0) local = local.limit(limitTrain);
            test = Dataset.load(tc.data(), base, "test");
        }
        double compileSeconds = (System.nanoTime() - t0) / 1e9;
        boolean ownSession = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkPredictCommand.session("ingot spark-train " + model.getFileName(), master, conf);
        try {
            org.apache.spark.sql.Dataset<Row> table;
            if (local != null) table = frame(spark, local, probe);
            else {
                DataFrameReader reader = spark.read().format(inFormat);
                if (inFormat.equals("csv")) reader = reader.option("header", "true").option("inferSchema", "true");
                table = reader.load(input);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "%s (%s): %,d parameters, %s, global batch %d on %d task(s) (%s); compiled in %.1f s%n", probe.spec().name(), model,
                    probe.spec().parameterCount(), tc.optimizer(), batch > 0 ? batch : tc.batch(), tasks, master, compileSeconds);
            DataParallelTrainer.Options o = DataParallelTrainer.Options.defaults().withTasks(tasks).withGlobalBatch(batch).withEpochs(epochs).withSteps(steps)
                    .withSeed(seed).withThreadsPerTask(threads).withAverageEvery(averageEvery).withCheckpoint(checkpoint, checkpointEvery);
            DataParallelTrainer.Result r = DataParallelTrainer.fit(spark, code, table, o);
            for (int e = 0; e < r.losses().size(); e++) out.printf(Locale.ROOT, "epoch %d: train_loss %.4f%n", e + 1, r.losses().get(e));
            out.printf(Locale.ROOT, "trained %,d steps%s in %.1f s: %,.0f examples/s; %,d bytes sent per step by each task%n", r.steps() - r.resumedAt(),
                    r.resumedAt() > 0 ? " (resumed at step " + r.resumedAt() + ")" : "", r.seconds(), r.examplesPerSecond(), r.bytesPerStep());
            if (test != null) {
                CompiledModel m = code.newInstance(Math.max(1, tc.batch()));
                r.loadInto(m);
                Trainer.Evaluation ev = Trainer.evaluate(m, test, Binding.auto());
                out.printf(Locale.ROOT, "test_loss %.4f%s (%,d examples, in this JVM)%n", ev.loss(),
                        Double.isNaN(ev.accuracy()) ? "" : String.format(Locale.ROOT, "  test_accuracy %.4f", ev.accuracy()), ev.examples());
            }
            if (save != null) {
                DataParallelTrainer.save(r, code, save);
                out.printf("saved %s%n", save);
            }
            return 0;
        } catch (Exception e) {
            InputColumnException bad = InputColumnException.find(e);
            if (bad != null) throw bad;
            if (e instanceof AnalysisException ae) throw new Errors.UsageException(ae.getMessage());
            throw e;
        } finally {
            if (ownSession) spark.stop();
        }
    }

    /** The train block's data as a DataFrame: a column per model input and label (an array, or a number for one value per example). */
    static org.apache.spark.sql.Dataset<Row> frame(SparkSession spark, Dataset data, CompiledModel model) {
        Map<String, String> bound = Binding.auto().resolve(data, model.spec(), true);   // model name -> field
        List<TensorSpec> fed = new ArrayList<>(model.spec().inputs());
        fed.addAll(model.spec().labels());
        StructType schema = new StructType();
        for (TensorSpec t : fed) {
            boolean i32 = t.dtype() == DType.I32, scalar = t.numelPerExample() == 1;
            var elem = i32 ? DataTypes.IntegerType : DataTypes.FloatType;
            schema = schema.add(t.name(), scalar ? elem : DataTypes.createArrayType(elem, false), false);
        }
        List<Row> rows = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            Object[] v = new Object[fed.size()];
            for (int c = 0; c < fed.size(); c++) {
                TensorSpec t = fed.get(c);
                Dataset.Field f = data.field(bound.get(t.name()));
                int k = t.numelPerExample();
                if (t.dtype() == DType.I32) v[c] = k == 1 ? (Object) f.i32()[i] : Arrays.copyOfRange(f.i32(), i * k, (i + 1) * k);
                else v[c] = k == 1 ? (Object) f.f32()[i] : Arrays.copyOfRange(f.f32(), i * k, (i + 1) * k);
            }
            rows.add(RowFactory.create(v));
        }
        return spark.createDataFrame(rows, schema);
    }
}
