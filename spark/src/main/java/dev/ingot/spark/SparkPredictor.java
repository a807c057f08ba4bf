package dev.ingot.spark;

import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.ModelSpec;
import dev.ingot.runtime.model.TensorSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Batch inference over a DataFrame: adds a model's outputs to every row as columns.
 * <pre>{@code
 * Dataset<Row> scored = SparkPredictor.of(ModelCode.of(MnistMlp.class))
 *         .load(Path.of("mnist_mlp.safetensors"))
 *         .transform(images);           // + logits: array<float> (10 values), prediction: int
 * }</pre>
 * How it runs: the model's code and weights go to the executors once, in a broadcast; each
 * executor builds one instance holding the weights, and each task (partition) scores with its own
 * {@code sharingParameters} copy of it, packing rows into batches of up to {@link #batchSize} for
 * one {@code predict} call each. Rows keep their order and columns; the model's outputs follow.
 *
 * <p>Columns: each model input reads the column of its own name unless {@link #column} or
 * {@link #columns} names others: one array column of numbers with the input's values per example
 * (row-major), or one numeric column per value. Every output {@code NAME} becomes a column
 * {@code NAME}: {@code array<float>} (row-major) or {@code float} for one value per example. A
 * classifier (the train block's metric is accuracy and output 0 is {@code [batch, K]}) also gets
 * {@code prediction}, the argmax of output 0. Columns that do not fit fail with an
 * {@link InputColumnException} naming the column: at {@link #transform} for what the schema shows,
 * in the task for an array with the wrong number of values or a null.
 */
public final class SparkPredictor {
    /** Batch size when none is given: large enough to keep the kernels busy, small for memory. */
    public static final int DEFAULT_BATCH = 256;
    /** Name of the argmax column of a classifier. */
    public static final String PREDICTION = "prediction";

    private final ModelCode code;
    private CompiledModel weights;
    private int batchSize = DEFAULT_BATCH;
    private final Map<String, List<String>> inputColumns = new LinkedHashMap<>();
    private final Map<String, String> outputColumns = new LinkedHashMap<>();
    private String predictionColumn = PREDICTION;
    private String hint = "name the column of an input with SparkPredictor.column(input, column)";
    private ModelSpec spec;
    private long lastWeightBytes;

    private SparkPredictor(ModelCode code) {
        this.code = code;
    }

    public static SparkPredictor of(ModelCode code) {
        return new SparkPredictor(code);
    }

    /** Reads the weights from a checkpoint (safetensors) on the driver; they are shipped at {@link #transform}. */
    public SparkPredictor load(Path checkpoint) throws IOException {
        CompiledModel m = code.newInstance(1);
        m.load(checkpoint);
        this.weights = m;
        return this;
    }

    /**
     * Uses the weights of a live instance of the same model class (e.g. just trained on the driver),
     * as they are at {@link #transform}.
     */
    public SparkPredictor weights(CompiledModel model) {
        CompiledModel probe = code.newInstance(1);
        if (!probe.tensorSpecs().equals(model.tensorSpecs()) || !probe.spec().name().equals(model.spec().name()))
            throw new IllegalArgumentException("the weights are of model " + model.spec().name() + " (" + model.getClass().getName()
                    + "), not of " + code.className() + ": their tensors differ");
        this.weights = model;
        return this;
    }

    /** Rows per {@code predict} call (the instances' maximum batch); default {@value #DEFAULT_BATCH}. */
    public SparkPredictor batchSize(int n) {
        if (n < 1 || n > 65_536) throw new IllegalArgumentException("batch size must be from 1 to 65536, got " + n);
        this.batchSize = n;
        return this;
    }

    /** Input {@code input} reads column {@code column} (an array column, or one numeric column for a one-value input). */
    public SparkPredictor column(String input, String column) {
        return columns(input, List.of(column));
    }

    /** Input {@code input} reads one numeric column per value, in the input's row-major order. */
    public SparkPredictor columns(String input, List<String> columns) {
        inputSpec(input);
        if (columns.isEmpty()) throw new IllegalArgumentException("no columns for input " + input);
        inputColumns.put(input, List.copyOf(columns));
        return this;
    }

    /** Model output {@code output} goes to column {@code column} (default: the output's name). */
    public SparkPredictor outputColumn(String output, String column) {
        ModelSpec s = spec();
        if (s.outputs().stream().noneMatch(o -> o.name().equals(output)))
            throw new IllegalArgumentException("model " + s.name() + " has no output '" + output + "'; its outputs: " + names(s.outputs()));
        outputColumns.put(output, column);
        return this;
    }

    /** Name of a classifier's argmax column (default {@value #PREDICTION}); null for none. */
    public SparkPredictor predictionColumn(String column) {
        this.predictionColumn = column;
        return this;
    }

    /** How the caller names an input's column, for error messages (the command line's option). */
    public SparkPredictor hint(String howToNameAColumn) {
        this.hint = howToNameAColumn;
        return this;
    }

    /** The model's spec (from the class, without weights). */
    public ModelSpec spec() {
        if (spec == null) spec = weights != null ? weights.spec() : code.newInstance(1).spec();
        return spec;
    }

    /** Whether the model is a classifier that gets a prediction column: metric accuracy and output 0 of shape [batch, K], K > 1. */
    public static boolean isClassifier(ModelSpec s) {
        if (s.outputs().isEmpty() || s.train() == null || !"accuracy".equals(s.train().metric())) return false;
        int[] shape = s.outputs().get(0).shape();
        return shape.length == 2 && shape[0] == TensorSpec.BATCH && shape[1] > 1;
    }

    /** Bytes of weights the last {@link #transform} broadcast (parameters and inference state, 4 per value). */
    public long weightBytes() { return lastWeightBytes; }

    /**
     * The rows of {@code df} with the model's outputs appended (lazy, like any transformation: the
     * model runs when an action needs the rows). Checks now that every input's columns exist and
     * have usable types; broadcasts the weights.
     */
    public Dataset<Row> transform(Dataset<Row> df) {
        if (weights == null) throw new IllegalStateException("no weights: call load(checkpoint) or weights(model) before transform");
        ModelSpec s = weights.spec();
        StructType in = df.schema();
        List<InputBinding> bindings = new ArrayList<>();
        for (TensorSpec t : s.inputs()) {
            List<String> cols = inputColumns.getOrDefault(t.name(), List.of(t.name()));
            bindings.add(InputBinding.bind(t, in, cols, hint));
        }
        StructType out = in;
        List<Integer> scalarOutputs = new ArrayList<>();
        for (int k = 0; k < s.outputs().size(); k++) {
            TensorSpec o = s.outputs().get(k);
            String name = outputColumns.getOrDefault(o.name(), o.name());
            checkFree(out, name, "output " + o.name());
            boolean scalar = o.numelPerExample() == 1 && o.shape().length <= 1;
            if (scalar) scalarOutputs.add(k);
            out = out.add(name, scalar ? DataTypes.FloatType : DataTypes.createArrayType(DataTypes.FloatType, false), false);
        }
        int classes = 0;
        if (predictionColumn != null && isClassifier(s)) {
            checkFree(out, predictionColumn, "the prediction");
            classes = s.outputs().get(0).shape()[1];
            out = out.add(predictionColumn, DataTypes.IntegerType, false);
        }
        ShippedModel shipped = ShippedModel.of(code, weights);
        lastWeightBytes = shipped.weightBytes();
        Broadcast<ShippedModel> b = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext()).broadcast(shipped);
        ScorePartition f = new ScorePartition(b, bindings.toArray(InputBinding[]::new), batchSize, in.size(), s.outputs().size(),
                scalarOutputs.stream().mapToInt(Integer::intValue).toArray(), classes);
        return df.mapPartitions(f, Encoders.row(out));
    }

    private static void checkFree(StructType schema, String column, String what) {
        for (String n : schema.fieldNames())
            if (n.equalsIgnoreCase(column))
                throw new InputColumnException("the DataFrame already has a column '" + n + "', where " + what + " would go: drop or rename it, or choose another output column");
    }

    private TensorSpec inputSpec(String input) {
        ModelSpec s = spec();
        for (TensorSpec t : s.inputs()) if (t.name().equals(input)) return t;
        throw new IllegalArgumentException("model " + s.name() + " has no input '" + input + "'; its inputs: " + names(s.inputs()));
    }

    private static String names(List<TensorSpec> l) {
        List<String> r = new ArrayList<>();
        for (TensorSpec t : l) r.add(t.toString());
        return String.join(", ", r);
    }
}
