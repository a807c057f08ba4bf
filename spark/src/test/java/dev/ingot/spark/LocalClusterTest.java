package dev.ingot.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ingot.runtime.model.CompiledModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Inference with executors in separate JVMs: Spark's {@code local-cluster[2,1,1024]} (a master and
 * two workers in this JVM, each worker starting one executor JVM). The class files of the model
 * compiled here and its weights must cross process boundaries (Java serialization, the broadcast).
 *
 * <p>A worker builds the executor's command line from a Spark installation ({@code SPARK_HOME}, set
 * for the test JVM in pom.xml to {@code target/spark-home}): its {@code jars/} directory is left
 * empty here and the executors get this JVM's class path instead ({@code spark.executor.extraClassPath}),
 * the Spark jars from the local Maven repository included; {@code launcher/target/scala-2.13} only
 * tells the launcher the Scala version.
 *
 * <p>It works offline here, but is opt-in ({@code mvn -pl spark -am test -Dingot.spark.localCluster=true
 * -Dtest=LocalClusterTest -Dsurefire.failIfNoSpecifiedTests=false}): starting two more JVMs of 1 GB
 * each took 3 to 4 minutes on the shared 2-core machine (measured: 235 s), more than CI's budget for
 * the whole module on two JDKs (passes on JDK 17 and 25; 109 s on JDK 25). (The executors log a NullPointerException from Spark's own
 * heartbeat, {@code PartitionKeyedAccumulator.byPartition()}: a Spark 4.2.0 bug, harmless here.)
 */
@EnabledIfSystemProperty(named = "ingot.spark.localCluster", matches = "true", disabledReason = "opt-in: -Dingot.spark.localCluster=true (starts two executor JVMs; minutes on a 2-core machine)")
class LocalClusterTest {
    @Test
    void executorsInOtherJvmsScoreAsPredictInProcess() throws Exception {
        Path home = Path.of(System.getenv().getOrDefault("SPARK_HOME", "target/spark-home"));
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("launcher/target/scala-2.13"));
        LocalSpark.stop();
        MnistFixture mnist = MnistFixture.get();
        SparkSession spark = SparkSession.builder().master("local-cluster[2,1,1024]").appName("ingot-spark-local-cluster")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .config("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector")
                .getOrCreate();
        try {
            Dataset<Row> scored = SparkPredictor.of(mnist.code).load(mnist.checkpoint).batchSize(64)
                    .transform(mnist.testFrame(spark).filter("id < 200")).select("id", "logits").orderBy("id");
            List<Row> rows = scored.collectAsList();
            assertEquals(200, rows.size());
            long executors = spark.sparkContext().getExecutorMemoryStatus().size() - 1;   // minus the driver
            assertEquals(2, executors, "executor JVMs");
            CompiledModel local = mnist.code.newInstance(64);
            local.load(mnist.checkpoint);
            float[] expected = mnist.logitsInProcess(local, 64);
            for (int i = 0; i < rows.size(); i++) {
                List<Float> logits = rows.get(i).getList(1);
                for (int k = 0; k < 10; k++)
                    assertEquals(Float.floatToIntBits(expected[i * 10 + k]), Float.floatToIntBits(logits.get(k)), "row " + i + " logit " + k);
            }
        } finally {
            spark.stop();
        }
    }
}
