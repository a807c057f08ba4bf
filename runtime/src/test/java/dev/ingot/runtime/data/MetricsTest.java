package dev.ingot.runtime.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MetricsTest {
    @Test
    void weightedLossAndAccuracy() {
        Metrics m = new Metrics();
        assertTrue(Double.isNaN(m.loss()));
        assertTrue(Double.isNaN(m.accuracy()));
        m.addLoss(1.0, 3);
        m.addLoss(2.0, 1);
        assertEquals(1.25, m.loss(), 1e-12);
        float[] out = {0.1f, 0.7f, 0.2f, /**/ 0.5f, 0.2f, 0.3f, /**/ 0f, 0f, 1f, /**/ 9f, 9f, 1f};
        m.addAccuracy(out, 3, new int[] {1, 0, 0, 0}, 4); // rows 0, 1 right; row 2 wrong; row 3 tie -> first index
        assertEquals(0.75, m.accuracy(), 1e-12);
        assertEquals(2, Metrics.countCorrect(out, 3, new int[] {1, 2, 2, 1}, 3));
        m.reset();
        assertTrue(Double.isNaN(m.loss()));
    }

    @Test
    void throughput() throws InterruptedException {
        Metrics m = new Metrics();
        assertTrue(Double.isNaN(m.examplesPerSecond()));
        m.addExamples(1000);
        m.addNanos(500_000_000L);
        assertEquals(2000, m.examplesPerSecond(), 1e-9);
        m.startTimer();
        Thread.sleep(5);
        m.stopTimer();
        assertTrue(m.seconds() > 0.5);
        assertEquals(1000, m.examples());
    }
}
