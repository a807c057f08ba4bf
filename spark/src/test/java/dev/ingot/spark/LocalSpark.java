package dev.ingot.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The tests' one Spark session in local mode, shared by every test class of the module (a session
 * costs seconds to start; Spark's own shutdown hook stops it when the test JVM exits).
 */
final class LocalSpark {
    private LocalSpark() {}

    private static SparkSession session;

    /** A {@code local[2]} session: two task slots in this JVM, no UI, few shuffle partitions. */
    static synchronized SparkSession session() {
        if (session == null || session.sparkContext().isStopped()) {
            session = SparkSession.builder().master("local[2]").appName("ingot-spark-test")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "2")
                    .getOrCreate();
        }
        return session;
    }

    /** Stops the shared session (for a test that needs a session of another master; the next {@link #session()} starts a new one). */
    static synchronized void stop() {
        SparkSession active = SparkSession.getDefaultSession().isDefined() ? SparkSession.getDefaultSession().get() : session;
        if (active != null) active.stop();
        session = null;
    }
}
