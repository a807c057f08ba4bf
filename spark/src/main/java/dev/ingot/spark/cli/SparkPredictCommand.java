package dev.ingot.spark.cli;

import dev.ingot.cli.Errors;
import dev.ingot.cli.Main;
import dev.ingot.cli.Models;
import dev.ingot.spark.InputColumnException;
import dev.ingot.spark.ModelCode;
import dev.ingot.spark.SparkPredictor;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ingot spark-predict MODEL.ingot --load CKPT --input DATA --output DIR}: scores a table with a
 * trained model on Spark ({@link SparkPredictor}) and writes it with the model's outputs added.
 * {@code bin/ingot} runs this class with the spark module and Spark's jars on the class path.
 */
@Command(name = "spark-predict", mixinStandardHelpOptions = true, version = "ingot spark-predict 0.1.0",
        description = {"Score a table (Parquet, CSV or JSON) with a trained model on Apache Spark and write it with the model's outputs added:",
                "one column per output (array<float>, or float for one value per example) and, for a classifier, `prediction` (the argmax).",
                "The model is compiled on the driver and shipped to the executors as class files; the weights go once per executor (a broadcast)."},
        footer = {"", "Examples:",
                "  bin/ingot spark-predict dsl-examples/mnist_mlp.ingot --load mlp.safetensors --input images.parquet --output scored --label digit",
                "  bin/ingot spark-predict model.ingot --load ck.safetensors --input table.csv --column x='px*' --keep id --output out --output-format csv",
                "On a cluster: --master spark://HOST:7077 (paths must then be visible to every executor, e.g. hdfs:// or s3a://)."})
public final class SparkPredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.ingot", description = "The model file.") Path model;
    @Option(names = "--load", required = true, paramLabel = "CKPT", description = "Checkpoint (safetensors) with the trained weights, read on the driver.") Path load;
    @Option(names = "--input", required = true, paramLabel = "PATH", description = "The table to score: a file or a directory (a Parquet dataset), any path Spark reads.") String input;
    @Option(names = "--format", paramLabel = "FMT", description = "Input format: parquet, csv (with a header row) or json (JSON lines); default: from the extension, else parquet.") String format;
    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output directory (Spark writes one file per partition).") String output;
    @Option(names = "--output-format", paramLabel = "FMT", defaultValue = "parquet", description = "parquet (default), csv (arrays as space-separated numbers) or json.") String outputFormat;
    @Option(names = "--overwrite", description = "Replace --output if it exists.") boolean overwrite;
    @Option(names = "--column", paramLabel = "INPUT=COLS", description = {"The column(s) of a model input (default: the column named like the input):",
            "INPUT=COL (an array column, or one numeric column for a one-value input), INPUT=C1,C2,... or INPUT=PREFIX* (one numeric column per value, in the table's order)."})
    List<String> columns = new ArrayList<>();
    @Option(names = "--keep", split = ",", paramLabel = "COL", description = "Input columns to write besides the outputs (default: all).") List<String> keep;
    @Option(names = "--label", paramLabel = "COL", description = "A column of true classes: print the accuracy of the prediction column against it.") String label;
    @Option(names = "--batch", paramLabel = "N", defaultValue = "" + SparkPredictor.DEFAULT_BATCH, description = "Rows per predict call (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--partitions", paramLabel = "N", description = "Repartition the input into N partitions (tasks) first (default: as read).") int partitions;
    @Option(names = "--master", paramLabel = "URL", defaultValue = "local[*]", description = "Spark master (default: ${DEFAULT-VALUE}): local[N], spark://HOST:PORT, yarn, ...") String master;
    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting, e.g. --conf spark.executor.memory=4g (repeatable).") Map<String, String> conf = new LinkedHashMap<>();

    @Spec CommandSpec spec;

    public static void main(String[] args) {
        System.exit(Main.execute(new SparkPredictCommand(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    @Override public Integer call() throws Exception {
        Models.read(model);   // a missing or misnamed model file is a usage error before Spark starts
        if (!Files.isRegularFile(load)) throw new Errors.UsageException("no such checkpoint: " + load);
        if (batch < 1 || batch > 65_536) throw new Errors.UsageException("--batch must be from 1 to 65536, got " + batch);
        if (partitions < 0) throw new Errors.UsageException("--partitions must be positive, got " + partitions);
        String inFormat = format != null ? format.toLowerCase(Locale.ROOT) : formatOf(input);
        checkFormat("--format", inFormat);
        checkFormat("--output-format", outputFormat);
        Path localIn = localPath(input), localOut = localPath(output);
        if (localIn != null && !Files.exists(localIn)) throw new Errors.UsageException("--input: no such file or directory: " + input);
        if (localOut != null && Files.exists(localOut) && !overwrite) throw new Errors.UsageException("--output " + output + " exists: remove it or add --overwrite");

        SparkPredictor predictor = SparkPredictor.of(ModelCode.compile(model)).load(load).batchSize(batch)
                .hint("choose an input's columns with --column INPUT=COL, INPUT=C1,C2,... or INPUT=PREFIX*");
        boolean ownSession = SparkSession.getDefaultSession().isEmpty();   // else (a test, an application) leave it running
        SparkSession spark = session();
        try {
            return score(spark, predictor, inFormat);
        } catch (Exception e) {
            InputColumnException bad = InputColumnException.find(e);
            if (bad != null) throw bad;
            if (e instanceof AnalysisException ae) throw new Errors.UsageException(ae.getMessage());   // e.g. an unreadable input
            throw e;
        } finally {
            if (ownSession) spark.stop();
        }
    }

    private int score(SparkSession spark, SparkPredictor predictor, String inFormat) throws Exception {
        DataFrameReader reader = spark.read().format(inFormat);
        if (inFormat.equals("csv")) reader = reader.option("header", "true").option("inferSchema", "true");
        Dataset<Row> table = reader.load(input);
        if (partitions > 0) table = table.repartition(partitions);
        for (String c : columns) {
            int eq = c.indexOf('=');
            if (eq <= 0 || eq == c.length() - 1) throw new Errors.UsageException("--column takes INPUT=COLUMNS, got '" + c + "'");
            predictor.columns(c.substring(0, eq), expand(c.substring(eq + 1), table.columns()));
        }
        List<String> tableColumns = List.of(table.columns());
        if (label != null) {   // checked before the job runs, not after
            if (!SparkPredictor.isClassifier(predictor.spec())) throw new Errors.UsageException("--label: the model is not a classifier (no prediction column to compare)");
            if (!tableColumns.contains(label)) throw new Errors.UsageException("--label: the input has no column '" + label + "'");
            if (keep != null && !keep.contains(label)) throw new Errors.UsageException("--label " + label + ": add it to --keep");
        }
        if (keep != null)
            for (String k : keep) if (!tableColumns.contains(k)) throw new Errors.UsageException("--keep: the input has no column '" + k + "'");
        long t0 = System.nanoTime();
        Dataset<Row> scored = predictor.transform(table);
        List<String> outputs = new ArrayList<>(List.of(scored.columns()).subList(table.columns().length, scored.columns().length));
        if (keep != null) {
            List<Column> cols = new ArrayList<>();
            for (String k : keep) cols.add(functions.col(k));
            for (String o : outputs) cols.add(functions.col(o));
            scored = scored.select(cols.toArray(Column[]::new));
        }
        if (outputFormat.equals("csv")) scored = arraysAsText(scored);
        scored.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).format(outputFormat).option("header", "true").save(output);
        double seconds = (System.nanoTime() - t0) / 1e9;

        Dataset<Row> written = spark.read().format(outputFormat).option("header", "true").option("inferSchema", "true").load(output);
        long rows = written.count();
        out().printf(Locale.ROOT, "scored %,d rows in %.1f s (%,.0f rows/s) on %s; weights broadcast: %,d bytes; wrote %s (%s: %s)%n",
                rows, seconds, rows / seconds, master, predictor.weightBytes(), output, outputFormat, String.join(", ", written.columns()));
        if (label != null) {
            long right = written.filter(functions.col(SparkPredictor.PREDICTION).equalTo(functions.col(label))).count();
            out().printf(Locale.ROOT, "accuracy %.4f (%,d of %,d rows: %s = %s)%n", right / (double) rows, right, rows, SparkPredictor.PREDICTION, label);
        }
        return 0;
    }

    private PrintWriter out() { return spec.commandLine().getOut(); }

    /** {@code A,B,C}, or {@code PREFIX*}: every column whose name starts with PREFIX, in the table's order. */
    static List<String> expand(String spec, String[] tableColumns) {
        if (!spec.endsWith("*")) return List.of(spec.split(","));
        String prefix = spec.substring(0, spec.length() - 1);
        List<String> r = new ArrayList<>();
        for (String c : tableColumns) if (c.startsWith(prefix)) r.add(c);
        if (r.isEmpty()) throw new InputColumnException("--column " + spec + ": the input has no column starting with '" + prefix + "'");
        return r;
    }

    private static Dataset<Row> arraysAsText(Dataset<Row> d) {
        List<Column> cols = new ArrayList<>();
        for (StructField f : d.schema().fields()) {
            Column c = functions.col(f.name());
            cols.add(f.dataType() instanceof ArrayType ? functions.concat_ws(" ", c.cast("array<string>")).as(f.name()) : c);
        }
        return d.select(cols.toArray(Column[]::new));
    }

    private SparkSession session() {
        return session("ingot spark-predict " + model.getFileName(), master, conf);
    }

    /** The session of a command: {@code master}, the {@code --conf} settings, and for local mode no UI and the loopback address. */
    static SparkSession session(String appName, String master, Map<String, String> conf) {
        SparkSession.Builder b = SparkSession.builder().master(master).appName(appName);
        if (master.startsWith("local")) {
            // one JVM: no UI, and the loopback address (no warning about the host name)
            b = b.config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        for (var e : conf.entrySet()) b = b.config(e.getKey(), e.getValue());
        return b.getOrCreate();
    }

    static String formatOf(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        if (p.endsWith(".csv")) return "csv";
        if (p.endsWith(".json") || p.endsWith(".jsonl")) return "json";
        return "parquet";
    }

    static void checkFormat(String option, String f) {
        if (!List.of("parquet", "csv", "json").contains(f)) throw new Errors.UsageException(option + " must be parquet, csv or json, got '" + f + "'");
    }

    /** The local file a path names (no scheme, or file:), else null (hdfs://, s3a://, ...: Spark checks those). */
    static Path localPath(String p) {
        try {
            URI u = URI.create(p);
            if (u.getScheme() == null) return Path.of(p);
            if (u.getScheme().equals("file")) return Path.of(u);
        } catch (IllegalArgumentException e) {
            return Path.of(p);
        }
        return null;
    }
}
