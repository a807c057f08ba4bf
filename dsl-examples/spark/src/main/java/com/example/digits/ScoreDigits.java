package com.example.digits;

import dev.ingot.spark.DataParallelTrainer;
import dev.ingot.spark.ModelCode;
import dev.ingot.spark.SparkPredictor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark job: trains the generated {@link MnistMlp} data-parallel on the executors, then scores the
 * MNIST test set as a DataFrame on the executors with {@link SparkPredictor} and prints the accuracy.
 * <pre>
 * mvn exec:exec                                         # local[2], see pom.xml
 * spark-submit --class com.example.digits.ScoreDigits ... target/digits-spark-1.0-SNAPSHOT.jar MNIST_DIR [EPOCHS]
 * </pre>
 * {@code MNIST_DIR} holds the IDX files ({@code train-images-idx3-ubyte.gz}, ...), e.g. the Ingot
 * repository's {@code dsl-examples/data/mnist}; the driver reads them.
 */
public final class ScoreDigits {
    private ScoreDigits() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: ScoreDigits MNIST_DIR [EPOCHS]   (the master: spark-submit --master, or -Dspark.master=local[2])");
            System.exit(2);
        }
        Path mnist = Path.of(args[0]);
        int epochs = args.length == 2 ? Integer.parseInt(args[1]) : 1;
        SparkSession.Builder b = SparkSession.builder().appName("ingot digits");
        if (System.getProperty("spark.master") == null) b = b.master("local[2]");   // spark-submit sets it
        SparkSession spark = b.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            long t0 = System.nanoTime();
            MnistMlp model = train(spark, mnist, epochs);
            System.out.printf(Locale.ROOT, "trained %d epoch(s) in %.1f s%n", epochs, (System.nanoTime() - t0) / 1e9);

            Dataset<Row> test = images(spark, dev.ingot.runtime.data.Dataset.idxImages(mnist, "test", 1 / 255f), 4);
            long t1 = System.nanoTime();
            SparkPredictor scorer = SparkPredictor.of(ModelCode.of(MnistMlp.class)).weights(model);
            Row counts = scorer.transform(test)
                    .agg(functions.count("*"), functions.sum(functions.when(functions.col("prediction").equalTo(functions.col("digit")), 1).otherwise(0)))
                    .first();
            long rows = counts.getLong(0), right = counts.getLong(1);
            double seconds = (System.nanoTime() - t1) / 1e9;
            System.out.printf(Locale.ROOT, "scored %,d test images on %s in %.1f s (weights broadcast: %,d bytes)%n",
                    rows, spark.sparkContext().master(), seconds, scorer.weightBytes());
            System.out.printf(Locale.ROOT, "test accuracy %.4f (%,d of %,d)%n", right / (double) rows, right, rows);
        } finally {
            spark.stop();
        }
    }

    /**
     * Trains the MLP data-parallel on the executors: one replica per task slot, each on its partition of
     * the 60,000 training images, the gradients averaged every step by a ring all-reduce between the tasks
     * (DataParallelTrainer); the generated class has the split training step ({@code <splitStep>} in pom.xml).
     */
    static MnistMlp train(SparkSession spark, Path mnist, int epochs) throws IOException {
        int tasks = spark.sparkContext().defaultParallelism();   // local[2]: 2; a cluster: its task slots
        Dataset<Row> train = images(spark, dev.ingot.runtime.data.Dataset.idxImages(mnist, "train", 1 / 255f), tasks).select("pixels", "digit");
        DataParallelTrainer.Result r = DataParallelTrainer.fit(spark, ModelCode.of(MnistMlp.class), train,
                DataParallelTrainer.Options.defaults().withTasks(tasks).withEpochs(epochs).withSeed(1).withThreadsPerTask(1));
        for (int e = 0; e < r.losses().size(); e++) System.out.printf(Locale.ROOT, "epoch %d: train_loss %.4f%n", e + 1, r.losses().get(e));
        System.out.printf(Locale.ROOT, "data-parallel on %d tasks: %,d steps, %,.0f examples/s, %,d bytes sent per step by each task%n",
                tasks, r.steps(), r.examplesPerSecond(), r.bytesPerStep());
        MnistMlp model = new MnistMlp(MnistMlp.SPEC.train().batch());
        r.loadInto(model);
        return model;
    }

    /** Images and labels as a DataFrame {@code id: long, pixels: array<float> (784), digit: int} in {@code partitions} partitions. */
    static Dataset<Row> images(SparkSession spark, dev.ingot.runtime.data.Dataset data, int partitions) {
        float[] px = data.field("image").f32();
        int[] labels = data.field("label").i32();
        int per = data.field("image").perExample();
        List<Row> rows = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            rows.add(RowFactory.create((long) i, Arrays.copyOfRange(px, i * per, (i + 1) * per), labels[i]));
        }
        StructType schema = new StructType()
                .add("id", DataTypes.LongType, false)
                .add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false)
                .add("digit", DataTypes.IntegerType, false);
        // the rows go from the driver to the executors inside the tasks; a job on real data reads them
        // where they are stored instead, e.g. spark.read().parquet("hdfs://.../mnist_test.parquet")
        JavaRDD<Row> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, partitions);
        return spark.createDataFrame(rdd, schema);
    }
}
