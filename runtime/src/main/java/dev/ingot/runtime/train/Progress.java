package dev.ingot.runtime.train;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Training progress display in the style of Keras.
 *
 * <p>On an interactive terminal ({@link Mode#BAR}), a live single line redrawn with {@code \r}, at
 * most 10 times a second:
 * <pre>epoch 1/2  [=========&gt;                    ] 234/469  loss 0.2345  12,345 ex/s  ETA 0:07</pre>
 * replaced at the end of the epoch by the summary line.
 *
 * <p>Elsewhere ({@link Mode#LINES}: pipes, CI, log files), plain lines: a progress line when the
 * epoch passes each 10% mark (if at least a second has passed since the last line) or every 30
 * seconds, and one summary line per epoch:
 * <pre>epoch 1/2: train_loss 0.2345  test_loss 0.1234  test_accuracy 0.9650  12,345 ex/s  18.2 s</pre>
 *
 * <p>A run measured in steps ({@link #startSteps}) shows the steps of the whole run instead of an
 * epoch's, {@code steps  [====>     ] 234/2000  loss 1.2345 ...} or {@code step 234/2000  loss ...},
 * and a summary line at each evaluation: {@code step 500/2000: train_loss 1.2345  val_loss ...}.
 *
 * <p>{@link #step} allocates nothing unless it actually prints, so it can sit in the step loop.
 */
public final class Progress {
    /** How to display progress. */
    public enum Mode {
        /** {@link #BAR} on an interactive terminal, {@link #LINES} otherwise. */
        AUTO,
        /** A live bar redrawn in place. */
        BAR,
        /** Plain lines, for logs. */
        LINES,
        /** Nothing. */
        QUIET
    }

    static final int BAR_WIDTH = 30;
    static final long REDRAW_NANOS = 100_000_000L;      // at most 10 redraws a second
    static final long LINE_MIN_NANOS = 1_000_000_000L;  // a 10% line at most every second
    static final long LINE_MAX_NANOS = 30_000_000_000L; // and at least one every 30 s

    private final PrintStream out;
    private final Mode mode;
    private final LongSupplier clock;

    private int epoch, epochs, steps;
    private boolean bySteps;
    private int firstStep, lastStep;
    private String testLabel = "test";
    private long epochStart, lastOutput;
    private int lastDecile;
    private int drawnLength;

    /** Progress on {@code out}; {@link Mode#AUTO} is resolved now, by {@link #isInteractiveTerminal()}. */
    public Progress(PrintStream out, Mode mode) {
        this(out, mode, System::nanoTime);
    }

    /** With an injectable clock (nanoseconds), for tests. */
    Progress(PrintStream out, Mode mode, LongSupplier clock) {
        this.out = out;
        this.mode = mode == Mode.AUTO ? (isInteractiveTerminal() ? Mode.BAR : Mode.LINES) : mode;
        this.clock = clock;
    }

    /** A display that prints nothing. */
    public static Progress quiet() { return new Progress(System.out, Mode.QUIET); }

    /**
     * Name of the evaluation split in summary lines, {@code test} by default ({@code test_loss});
     * {@code val} for a language model's validation split ({@code val_loss}).
     */
    public Progress testLabel(String label) {
        this.testLabel = label;
        return this;
    }

    /** The effective mode (never {@link Mode#AUTO}). */
    public Mode mode() { return mode; }

    /**
     * Whether standard output is an interactive terminal that understands {@code \r}: a console is
     * attached and {@code TERM} is not {@code dumb}. NOTE: from JDK 22, {@code System.console()}
     * is non-null even when output is redirected; there {@code Console.isTerminal()} (called by
     * reflection, as this code targets Java 17) tells the truth.
     */
    public static boolean isInteractiveTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) return false;
        Console c = System.console();
        if (c == null) return false;
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(c);
        } catch (NoSuchMethodException e) {
            return true; // JDK 17-21: a non-null console means a terminal
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** Starts epoch {@code epoch} (1-based) of {@code epochs}, which has {@code steps} steps. */
    public void startEpoch(int epoch, int epochs, int steps) {
        this.epoch = epoch;
        this.epochs = epochs;
        this.steps = steps;
        this.bySteps = false;
        this.firstStep = 0;
        this.lastStep = 0;
        this.epochStart = clock.getAsLong();
        this.lastOutput = epochStart;
        this.lastDecile = 0;
        if (mode == Mode.BAR) draw(bar(0, 0, Double.NaN, epochStart, ""));
    }

    /**
     * Starts (or resumes, after an evaluation) a run measured in steps: {@code done} of
     * {@code total} steps are done. {@link #step} then takes the step number of the whole run and
     * the examples and mean loss since this call.
     */
    public void startSteps(int done, int total) {
        this.bySteps = true;
        this.steps = total;
        this.firstStep = done;
        this.lastStep = done;
        this.epochStart = clock.getAsLong();
        this.lastOutput = epochStart;
        this.lastDecile = total > 0 ? (int) (10L * done / total) : 0;
        if (mode == Mode.BAR) draw(bar(done, 0, Double.NaN, epochStart, ""));
    }

    /** Reports {@code step} steps done ({@code examples} examples) with the running mean loss. */
    public void step(int step, long examples, double loss) {
        if (mode == Mode.QUIET) return;
        lastStep = step;
        long now = clock.getAsLong();
        if (mode == Mode.BAR) {
            if (now - lastOutput >= REDRAW_NANOS || step == steps) {
                lastOutput = now;
                draw(bar(step, examples, loss, now, null));
            }
            return;
        }
        int decile = steps > 0 ? (int) (10L * step / steps) : 0;
        boolean mark = decile > lastDecile && step < steps && now - lastOutput >= LINE_MIN_NANOS;
        if (mark || now - lastOutput >= LINE_MAX_NANOS) {
            lastOutput = now;
            lastDecile = decile;
            out.println(bySteps
                    ? String.format(Locale.ROOT, "step %d/%d  loss %.4f  %s ex/s  ETA %s", step, steps, loss, rate(examples, now), eta(step, now))
                    : String.format(Locale.ROOT, "epoch %d/%d  step %d/%d  loss %.4f  %s ex/s  ETA %s",
                            epoch, epochs, step, steps, loss, rate(examples, now), eta(step, now)));
            out.flush();
        } else if (decile > lastDecile) {
            lastDecile = decile;
        }
    }

    /** Notes that the epoch's evaluation is running (shown on the bar). */
    public void evaluating() {
        if (mode == Mode.BAR) draw(bar(bySteps ? lastStep : steps, -1, Double.NaN, clock.getAsLong(), "evaluating..."));
    }

    /** Ends the epoch with its summary line. */
    public void endEpoch(EpochStats s) {
        if (mode == Mode.QUIET) return;
        String line = summary(s, testLabel);
        if (mode == Mode.BAR) {
            draw(line);
            out.print('\n');
            drawnLength = 0;
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends a bar line cut short by an error, so that the error message starts on a line of its own. */
    public void abort() {
        if (mode == Mode.BAR && drawnLength > 0) {
            out.print('\n');
            out.flush();
            drawnLength = 0;
        }
    }

    /** Prints a line of its own (clearing the bar first). */
    public void message(String line) {
        if (mode == Mode.QUIET) return;
        if (mode == Mode.BAR && drawnLength > 0) {
            draw("");
            out.print('\r');
            drawnLength = 0;
        }
        out.println(line);
        out.flush();
    }

    /** {@code epoch 1/2: train_loss 0.2345  test_loss 0.1234  test_accuracy 0.9650  12,345 ex/s  18.2 s}. */
    public static String summary(EpochStats s) { return summary(s, "test"); }

    /**
     * The summary line with the evaluation split called {@code testLabel}; in steps mode
     * {@code step 500/2000: train_loss ...}, the train loss being the mean since the previous one.
     */
    public static String summary(EpochStats s, String testLabel) {
        StringBuilder sb = new StringBuilder(s.bySteps()
                ? String.format(Locale.ROOT, "step %d/%d: train_loss %.4f", s.step(), s.steps(), s.trainLoss())
                : String.format(Locale.ROOT, "epoch %d/%d: train_loss %.4f", s.epoch(), s.epochs(), s.trainLoss()));
        if (!Double.isNaN(s.testLoss())) sb.append(String.format(Locale.ROOT, "  %s_loss %.4f", testLabel, s.testLoss()));
        if (!Double.isNaN(s.testAccuracy())) sb.append(String.format(Locale.ROOT, "  %s_accuracy %.4f", testLabel, s.testAccuracy()));
        s.extra().forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %s %.4f", k, v)));
        sb.append("  ").append(thousands(s.examplesPerSecond())).append(" ex/s");
        sb.append(String.format(Locale.ROOT, "  %.1f s", s.seconds()));
        return sb.toString();
    }

    /** The bar line; {@code examples < 0} or {@code tail != null} replaces the rate and ETA. */
    private String bar(int step, long examples, double loss, long now, String tail) {
        StringBuilder sb = new StringBuilder(96);
        if (bySteps) sb.append("steps  [");
        else sb.append("epoch ").append(epoch).append('/').append(epochs).append("  [");
        int filled = steps > 0 ? (int) ((long) BAR_WIDTH * step / steps) : 0;
        for (int i = 0; i < BAR_WIDTH; i++) {
            sb.append(i < filled - 1 || (i == filled - 1 && step >= steps) ? '=' : i == filled - 1 ? '>' : ' ');
        }
        sb.append("] ").append(step).append('/').append(steps);
        if (!Double.isNaN(loss)) sb.append(String.format(Locale.ROOT, "  loss %.4f", loss));
        if (tail != null) {
            if (!tail.isEmpty()) sb.append("  ").append(tail);
        } else {
            sb.append("  ").append(rate(examples, now)).append(" ex/s  ETA ").append(eta(step, now));
        }
        return sb.toString();
    }

    /** Redraws the line in place, blanking what is left of a longer previous line. */
    private void draw(String line) {
        StringBuilder sb = new StringBuilder(line.length() + 8).append('\r').append(line);
        for (int i = line.length(); i < drawnLength; i++) sb.append(' ');
        drawnLength = line.length();
        out.print(sb);
        out.flush();
    }

    private String rate(long examples, long now) {
        double s = (now - epochStart) / 1e9;
        return s > 0 ? thousands(examples / s) : "-";
    }

    private String eta(int step, long now) {
        if (step - firstStep <= 0) return "-";
        double perStep = (now - epochStart) / 1e9 / (step - firstStep);
        return duration(perStep * (steps - step));
    }

    /** {@code 12,345}. */
    static String thousands(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return "-";
        return String.format(Locale.ROOT, "%,d", Math.round(v));
    }

    /** {@code 0:07}, {@code 12:34}, {@code 1:02:03}. */
    static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
