package dev.ingot.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark itself works in local mode on this JDK with the module's surefire flags: runs a job with a
 * shuffle, and writes and reads Parquet (through Hadoop's FileSystem, which is what fails on JDK 23+
 * with a Hadoop older than 3.5: see README.md).
 */
class SparkSessionTest {
    @Test
    void localSessionRunsAJobAndWritesParquet(@TempDir Path dir) {
        SparkSession spark = LocalSpark.session();
        long n = spark.range(0, 1000, 1, 4).filter("id % 3 = 0").count();
        assertEquals(334, n);
        String out = dir.resolve("t.parquet").toString();
        spark.range(0, 10).write().parquet(out);
        assertEquals(45L, spark.read().parquet(out).selectExpr("sum(id)").first().getLong(0));
    }
}
