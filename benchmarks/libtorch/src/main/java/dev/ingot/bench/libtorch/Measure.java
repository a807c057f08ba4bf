package dev.ingot.bench.libtorch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Timed windows as in bench_torch.py: >= warmup s untimed, then {@code windows} windows of >= window s each; per
 * window the rate (examples/s) or, for latency, the median call time in ms; with the CPU that other processes used
 * during each window (cores, from /proc/stat minus this process's own ticks), so that disturbed runs can be spotted.
 */
final class Measure {
    record Result(double[] values, double[] foreignCores) {
    }

    private final double warmup;
    private final double window;
    private final int windows;

    Measure(double warmup, double window, int windows) {
        this.warmup = warmup;
        this.window = window;
        this.windows = windows;
    }

    Result run(Runnable fn, int examplesPerCall, boolean latency) {
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < warmup * 1e9) {
            fn.run();
        }
        double[] values = new double[windows];
        double[] foreign = new double[windows];
        for (int w = 0; w < windows; w++) {
            long busy0 = busyTicks();
            long own0 = ownTicks();
            List<Long> lat = new ArrayList<>();
            int n = 0;
            long start = System.nanoTime();
            long e;
            while (true) {
                long t = System.nanoTime();
                fn.run();
                e = System.nanoTime();
                n++;
                if (latency) {
                    lat.add(e - t);
                }
                if (e - start >= window * 1e9) {
                    break;
                }
            }
            double secs = (e - start) / 1e9;
            foreign[w] = Math.max(0, (busyTicks() - busy0 - (ownTicks() - own0)) / 100.0 / secs);
            if (latency) {
                double[] l = lat.stream().mapToDouble(x -> x / 1e6).toArray();
                Arrays.sort(l);
                values[w] = LibtorchBench.median(l);
            } else {
                values[w] = n * (double) examplesPerCall / secs;
            }
        }
        return new Result(values, foreign);
    }

    /** Busy jiffies of all CPUs (USER_HZ = 100 on Linux). */
    private static long busyTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long sum = 0;
            for (int i = 1; i <= 8 && i < f.length; i++) {
                sum += Long.parseLong(f[i]);
            }
            return sum - Long.parseLong(f[4]) - Long.parseLong(f[5]);
        } catch (IOException | RuntimeException ex) {
            return 0;
        }
    }

    /** utime + stime of this process (all threads), in jiffies. */
    private static long ownTicks() {
        try {
            String s = Files.readString(Path.of("/proc/self/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException ex) {
            return 0;
        }
    }
}
