package dev.ingot.spark;

import dev.ingot.runtime.data.Binding;
import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.exec.Parallel;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.train.Trainer;
import dev.ingot.spark.train.RingAllReduce;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a test: the speed of the MNIST MLP trained data-parallel on 1 and on 2 local tasks (one kernel thread
 * each), and the bytes each task sends per step; the in-process trainer at 1 and 2 threads for reference.
 * Each configuration runs several times (the first runs warm the JIT up). Runs only when asked:
 * {@code mvn -pl spark -am test -Dtest=DataParallelBench -Dingot.bench=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "ingot.bench", matches = "true")
class DataParallelBench {
    @Test
    void mnistMlpExamplesPerSecondOnOneAndTwoTasks() throws Exception {
        SparkSession spark = LocalSpark.session();
        ModelCode code = DataParallelTrainer.compile(Path.of("../dsl-examples/mnist_mlp.ingot"));
        int n = Integer.getInteger("ingot.bench.examples", 16384);
        Dataset train = Dataset.idxImages(Path.of("../dsl-examples/data/mnist"), "train", 1f / 255).limit(n);
        Dataset test = Dataset.idxImages(Path.of("../dsl-examples/data/mnist"), "test", 1f / 255);
        List<Row> rows = new ArrayList<>();
        float[] px = train.field("image").f32();
        int[] labels = train.field("label").i32();
        for (int i = 0; i < train.size(); i++) rows.add(RowFactory.create(java.util.Arrays.copyOfRange(px, i * 784, (i + 1) * 784), labels[i]));
        StructType schema = new StructType().add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false).add("digit", DataTypes.IntegerType, false);
        long params = code.newInstance(1).spec().parameterCount();
        int steps = Integer.getInteger("ingot.bench.steps", 400);
        System.out.printf("MNIST MLP, %,d parameters (%,d bytes of gradients); %,d examples, global batch 128, %d steps per run; JDK %s; %d cores; load average %.1f%n",
                params, 4 * params, n, steps, Runtime.version(), Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        // one process, the usual trainer, for reference
        for (int threads : new int[] {1, 2, 1, 2}) {
            Parallel.setThreads(threads);
            CompiledModel m = code.newInstance(128);
            m.initialize(1);
            var res = new Trainer(m).options(Trainer.Options.defaults().withSteps(steps).withSeed(1).withEvalEachEpoch(false)).fit(train, null);
            System.out.printf("single process, %d thread(s): %.0f examples/s, test accuracy %.4f%n", threads, res.trainExamplesPerSecond(),
                    Trainer.evaluate(m, test, Binding.auto()).accuracy());
        }
        for (int tasks : new int[] {1, 2, 1, 2, 1, 2}) {
            var df = spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, tasks), schema);
            DataParallelTrainer.Result r = DataParallelTrainer.fit(spark, code, df,
                    DataParallelTrainer.Options.defaults().withTasks(tasks).withSteps(steps).withSeed(1).withThreadsPerTask(1));
            Parallel.setThreads(2);
            CompiledModel m = code.newInstance(128);
            r.loadInto(m);
            System.out.printf("%d task(s) x 1 thread: %.0f examples/s (%d steps in %.1f s), %,d bytes sent per step per task (ring formula: %,d), test accuracy %.4f%n",
                    tasks, r.examplesPerSecond(), r.steps(), r.seconds(), r.bytesPerStep(), RingAllReduce.bytesPerCall(params + 1, tasks),
                    Trainer.evaluate(m, test, Binding.auto()).accuracy());
        }
    }
}
