package dev.ingot.runtime.train;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private long now;

    private Progress progress(Progress.Mode mode) { return new Progress(out, mode, () -> now); }

    private String text() { return bytes.toString(StandardCharsets.UTF_8); }

    private static final EpochStats STATS = new EpochStats(1, 2, 0.23451, 0.12344, 0.965, 12345.4, 18.24);

    /** Runs one epoch of {@code steps} steps of 32 examples, {@code stepNanos} apart, loss 0.5. */
    private void epoch(Progress p, int steps, long stepNanos) {
        p.startEpoch(1, 2, steps);
        for (int s = 1; s <= steps; s++) {
            now += stepNanos;
            p.step(s, 32L * s, 0.5);
        }
        p.endEpoch(STATS);
    }

    @Test
    void summaryLine() {
        assertEquals("epoch 1/2: train_loss 0.2345  test_loss 0.1234  test_accuracy 0.9650  12,345 ex/s  18.2 s", Progress.summary(STATS));
        assertEquals("epoch 3/3: train_loss 1.0000  1,000,000 ex/s  0.5 s",
                Progress.summary(new EpochStats(3, 3, 1.0, Double.NaN, Double.NaN, 1e6, 0.5)));
    }

    @Test
    void linesEveryTenPercentOnSlowEpochs() {
        epoch(progress(Progress.Mode.LINES), 100, 500_000_000L); // 0.5 s a step: a 10% mark every 5 s
        List<String> lines = text().lines().toList();
        assertEquals(10, lines.size(), text());
        assertEquals("epoch 1/2  step 10/100  loss 0.5000  64 ex/s  ETA 0:45", lines.get(0));
        assertEquals("epoch 1/2  step 90/100  loss 0.5000  64 ex/s  ETA 0:05", lines.get(8));
        assertEquals(Progress.summary(STATS), lines.get(9));
        assertFalse(text().contains("\r"));
    }

    @Test
    void onlySummariesForQuickEpochs() {
        Progress p = progress(Progress.Mode.LINES);
        epoch(p, 100, 1_000_000L); // 0.1 s per epoch
        epoch(p, 100, 1_000_000L);
        assertEquals(List.of(Progress.summary(STATS), Progress.summary(STATS)), text().lines().toList());
    }

    @Test
    void aLineEveryThirtySecondsOnVerySlowEpochs() {
        epoch(progress(Progress.Mode.LINES), 1000, 1_000_000_000L); // 1 s a step: 10% = 100 s
        List<String> lines = text().lines().toList();
        assertTrue(lines.get(0).startsWith("epoch 1/2  step 30/1000  loss 0.5000  32 ex/s  ETA 16:10"), lines.get(0));
        assertTrue(lines.get(1).startsWith("epoch 1/2  step 60/1000"), lines.get(1));
        assertTrue(lines.size() > 30);
    }

    @Test
    void barRedrawsInPlaceAtMostTenTimesASecond() {
        epoch(progress(Progress.Mode.BAR), 469, 2_000_000L); // 469 steps in 0.94 s
        String t = text();
        long redraws = t.chars().filter(c -> c == '\r').count();
        assertTrue(redraws >= 8 && redraws <= 12, redraws + " redraws");
        assertTrue(t.endsWith(Progress.summary(STATS) + " ".repeat(t.length() - t.lastIndexOf('\r') - 2 - Progress.summary(STATS).length()) + "\n"));
        String[] frames = t.split("\r");
        String last = frames[frames.length - 2];
        assertTrue(last.startsWith("epoch 1/2  [" + "=".repeat(30) + "] 469/469  loss 0.5000  16,000 ex/s  ETA 0:00"), last);
        assertEquals(1, t.chars().filter(c -> c == '\n').count(), "one line per epoch");
    }

    @Test
    void barShape() {
        Progress p = progress(Progress.Mode.BAR);
        p.startEpoch(1, 2, 469);
        assertEquals("\repoch 1/2  [" + " ".repeat(30) + "] 0/469", text());
        now += 1_000_000_000L;
        p.step(234, 234 * 128, 0.2345);
        String frame = text().substring(text().lastIndexOf('\r') + 1);
        assertEquals("epoch 1/2  [=============>                ] 234/469  loss 0.2345  29,952 ex/s  ETA 0:01", frame);
        p.evaluating();
        assertTrue(text().substring(text().lastIndexOf('\r') + 1).startsWith("epoch 1/2  [" + "=".repeat(30) + "] 469/469  evaluating..."));
        p.message("saved checkpoint");
        assertTrue(text().endsWith("\rsaved checkpoint\n"));
    }

    @Test
    void stepsMode() {
        Progress p = progress(Progress.Mode.BAR);
        p.startSteps(0, 2000);
        assertEquals("\rsteps  [" + " ".repeat(30) + "] 0/2000", text());
        now += 1_000_000_000L;
        p.step(500, 500 * 64, 1.5);
        assertEquals("steps  [======>                       ] 500/2000  loss 1.5000  32,000 ex/s  ETA 0:03",
                text().substring(text().lastIndexOf('\r') + 1));
        p.evaluating();
        assertTrue(text().substring(text().lastIndexOf('\r') + 1).startsWith("steps  [======>                       ] 500/2000  evaluating..."));
        EpochStats s = new EpochStats(1, 0, 1.5, 1.25, Double.NaN, 32000, 1.2, 500, 2000);
        p.testLabel("val").endEpoch(s);
        assertTrue(text().endsWith("\rstep 500/2000: train_loss 1.5000  val_loss 1.2500  32,000 ex/s  1.2 s\n"), text());
        p.startSteps(500, 2000); // resumes: ETA from the steps since
        now += 2_000_000_000L;
        p.step(1000, 500 * 64, 1.0);
        assertTrue(text().endsWith("] 1000/2000  loss 1.0000  16,000 ex/s  ETA 0:04"), text());
        assertEquals("step 500/2000: train_loss 1.5000  test_loss 1.2500  32,000 ex/s  1.2 s", Progress.summary(s));
    }

    @Test
    void stepsModeLines() {
        Progress p = progress(Progress.Mode.LINES);
        p.startSteps(0, 100);
        for (int s = 1; s <= 100; s++) {
            now += 500_000_000L;
            p.step(s, 32L * s, 0.5);
        }
        List<String> lines = text().lines().toList();
        assertEquals(9, lines.size(), text());
        assertEquals("step 10/100  loss 0.5000  64 ex/s  ETA 0:45", lines.get(0));
    }

    @Test
    void quietPrintsNothing() {
        Progress p = progress(Progress.Mode.QUIET);
        epoch(p, 10, 1_000_000_000L);
        p.message("x");
        assertEquals("", text());
        assertEquals(Progress.Mode.QUIET, Progress.quiet().mode());
    }

    @Test
    void autoResolvesToLinesWithoutATerminal() {
        // under Maven Surefire, standard output is a pipe
        assertEquals(Progress.Mode.LINES, new Progress(out, Progress.Mode.AUTO).mode());
    }

    @Test
    void formatting() {
        assertEquals("0:07", Progress.duration(7.2));
        assertEquals("12:34", Progress.duration(754));
        assertEquals("1:02:03", Progress.duration(3723));
        assertEquals("0:00", Progress.duration(-3));
        assertEquals("12,345", Progress.thousands(12345.4));
        assertEquals("-", Progress.thousands(Double.NaN));
    }
}
