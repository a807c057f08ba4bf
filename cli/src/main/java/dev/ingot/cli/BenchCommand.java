package dev.ingot.cli;

import dev.ingot.compiler.Compiler;
import dev.ingot.runtime.exec.Parallel;
import dev.ingot.runtime.io.AtomicFile;
import dev.ingot.runtime.io.Json;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.ModelSpec;
import dev.ingot.runtime.model.TensorSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ingot bench MODEL.ingot}: training and inference speed on random data of the model's
 * shapes. Protocol (WORKLOADS.md): a warm-up, then timed windows; reports the median, min and max
 * over windows of training examples/s, inference examples/s at the training batch size, and the
 * median batch-1 predict latency.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure training and inference speed on random data of the model's shapes.")
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.ingot") Path model;
    @Option(names = "--threads", paramLabel = "N", description = "Threads (default: all cores).") int threads;
    @Option(names = "--batch", paramLabel = "N", description = "Batch size (default: the train block's).") int batch;
    @Option(names = "--json", paramLabel = "FILE", description = "Write the results as JSON.") Path json;
    @Option(names = "--warmup", paramLabel = "S", defaultValue = "2", description = "Minimum warm-up seconds per measurement; the warm-up goes on (up to 40 s) while the rate still rises (default: ${DEFAULT-VALUE}).") double warmup;
    @Option(names = "--window", paramLabel = "S", defaultValue = "2", description = "Seconds per timed window (default: ${DEFAULT-VALUE}).") double window;
    @Option(names = "--windows", paramLabel = "N", defaultValue = "5", description = "Timed windows (default: ${DEFAULT-VALUE}).") int windows;
    @Option(names = "--profile", description = "Time every kernel of the training step at 1 thread and at --threads; print each kernel's share of the step, its parallel efficiency, and the 16-thread speed-up that the measured serial fraction predicts (Amdahl).") boolean profile;

    @Override public Integer call() throws Exception {
        if (windows < 1 || window <= 0 || warmup < 0) throw new Errors.UsageException("--windows must be >= 1 and --window > 0");
        Models.checkBatch(batch);
        int nThreads = Models.threads(threads);
        Compiler.Result r = Models.compile(model, Compiler.Options.defaults().withProfile(profile));
        int b = batch > 0 ? batch : r.model().train() != null ? r.model().train().batch() : 32;
        CompiledModel m = r.instantiate(b);
        m.initialize(1);
        Batches data = new Batches(m, b);
        ModelSpec spec = m.spec();
        boolean trains = r.graph("trainStep") != null;
        System.out.printf("%s: batch %d, %d thread%s, JDK %s%n", spec.name(), b, nThreads, nThreads == 1 ? "" : "s", Models.jdk());

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("workload", stem(model));
        out.put("framework", "ingot");
        if (trains) {
            double[] w = measure(() -> { data.next(); m.trainStep(b); }, b);
            out.put("train_examples_per_second", stats(w));
            out.put("train_windows", w);
            out.put("train_warmup_seconds", Math.round(lastWarmupSeconds * 10) / 10.0);
        }
        out.put("infer_examples_per_second", stats(measure(() -> { data.next(); m.predict(b); }, b)));
        out.put("latency_b1_ms", stats(latency(m, data)));
        out.put("threads", nThreads);
        out.put("batch", b);
        out.put("jdk", Models.jdk());
        out.put("vector_bits", jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());

        System.out.printf("%-28s %12s %12s %12s%n", "", "median", "min", "max");
        for (String k : List.of("train_examples_per_second", "infer_examples_per_second", "latency_b1_ms")) {
            @SuppressWarnings("unchecked") Map<String, Double> s = (Map<String, Double>) out.get(k);
            String f = k.startsWith("latency") ? "%-28s %,12.3f %,12.3f %,12.3f%n" : "%-28s %,12.0f %,12.0f %,12.0f%n";
            if (s != null) System.out.printf(f, k, s.get("median"), s.get("min"), s.get("max"));
        }
        if (profile && trains) out.put("profile", profileReport(m, b, nThreads, data));
        if (json != null) {
            AtomicFile.writeString(json, Json.writePretty(out) + "\n");
            System.out.println("wrote " + json);
        }
        return 0;
    }

    /** Distinct random batches the bench cycles through, as the PyTorch and libtorch twins do (8 each). */
    static final int N_BATCHES = 8;

    /**
     * {@link #N_BATCHES} random batches of every input and label, copied into the model's input buffers before each
     * call (the copy is timed: a training loop does it too). Floats uniform in [0, 1); integers in [0, classes) where
     * classes is the last dimension of the first output. One batch repeated for every step would let a model memorise
     * it, so that its gradients shrink towards 0: not the work the twins measure.
     */
    static final class Batches {
        private final List<float[]> f32Dst = new java.util.ArrayList<>();
        private final List<float[][]> f32Src = new java.util.ArrayList<>();
        private final List<int[]> i32Dst = new java.util.ArrayList<>();
        private final List<int[][]> i32Src = new java.util.ArrayList<>();
        private final int batch;
        private int next;

        Batches(CompiledModel m, int b) {
            batch = b;
            ModelSpec s = m.spec();
            SplittableRandom rnd = new SplittableRandom(7);
            int classes = s.outputs().isEmpty() ? 2 : Math.max(1, s.outputs().get(0).shape()[s.outputs().get(0).shape().length - 1]);
            for (TensorSpec t : concat(s.inputs(), s.labels())) {
                if (t.dtype() == DType.F32) {
                    float[] dst = m.inputF32(t.name());
                    float[][] src = new float[N_BATCHES][dst.length];
                    for (float[] a : src) for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextDouble();
                    f32Dst.add(dst);
                    f32Src.add(src);
                } else {
                    int[] dst = m.inputI32(t.name());
                    int[][] src = new int[N_BATCHES][dst.length];
                    for (int[] a : src) for (int i = 0; i < a.length; i++) a[i] = rnd.nextInt(classes);
                    i32Dst.add(dst);
                    i32Src.add(src);
                }
            }
            next();
        }

        /** Copies the next batch into the input buffers. */
        void next() { next(batch); }

        /** Copies the first {@code rows} examples of the next batch into the input buffers (batch-first layout). */
        void next(int rows) {
            int k = next;
            next = (next + 1) % N_BATCHES;
            for (int i = 0; i < f32Dst.size(); i++) System.arraycopy(f32Src.get(i)[k], 0, f32Dst.get(i), 0, f32Dst.get(i).length / batch * rows);
            for (int i = 0; i < i32Dst.size(); i++) System.arraycopy(i32Src.get(i)[k], 0, i32Dst.get(i), 0, i32Dst.get(i).length / batch * rows);
        }
    }

    private static List<TensorSpec> concat(List<TensorSpec> a, List<TensorSpec> b) {
        var r = new java.util.ArrayList<>(a);
        r.addAll(b);
        return r;
    }

    /** Examples per second in each timed window, after the warm-up. */
    private double[] measure(Runnable step, int examplesPerCall) {
        warmUp(step);
        double[] rates = new double[windows];
        for (int w = 0; w < windows; w++) rates[w] = callsPerSecond(step, window) * examplesPerCall;
        return rates;
    }

    /** Runs {@code step} repeatedly for at least {@code seconds}; returns the calls per second. */
    private static double callsPerSecond(Runnable step, double seconds) {
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9), calls = 0, now;
        do {
            step.run();
            calls++;
            now = System.nanoTime();
        } while (now < end);
        return calls / ((now - start) / 1e9);
    }

    /**
     * The warm-up: at least {@code --warmup} seconds and {@link #MIN_WARMUP_CALLS} calls, then 1-second
     * probes until the rate stops rising (a probe not 3% faster than the best before it), at most
     * {@link #MAX_WARMUP_S} seconds. A JVM reaches full speed only once the JIT has compiled the
     * generated kernels; for the slower models (a training step of 0.1-0.5 s) a fixed 2 s warm-up
     * ends long before that and the first windows measure the interpreter. Sets {@link #lastWarmupSeconds}.
     */
    private void warmUp(Runnable step) {
        long t0 = System.nanoTime(), until = t0 + (long) (warmup * 1e9);
        for (long calls = 0; System.nanoTime() < until || calls < MIN_WARMUP_CALLS; calls++) step.run();
        long cap = t0 + (long) (MAX_WARMUP_S * 1e9);
        for (double best = 0; System.nanoTime() < cap; ) {
            double rate = callsPerSecond(step, 1);
            if (rate < best * 1.03) break;
            best = rate;
        }
        lastWarmupSeconds = (System.nanoTime() - t0) / 1e9;
    }

    static final int MIN_WARMUP_CALLS = 20;
    static final double MAX_WARMUP_S = 40;
    /** Length of the last warm-up, for the JSON. */
    private double lastWarmupSeconds;

    /** The median batch-1 predict latency (ms) of each window. */
    private double[] latency(CompiledModel m, Batches data) {
        long until = System.nanoTime() + (long) (warmup * 1e9);
        while (System.nanoTime() < until) {
            data.next(1);
            m.predict(1);
        }
        double[] med = new double[windows];
        double[] samples = new double[1 << 20];
        for (int w = 0; w < windows; w++) {
            long end = System.nanoTime() + (long) (window * 1e9);
            int k = 0;
            while (k < samples.length) {
                data.next(1);
                long t = System.nanoTime();
                m.predict(1);
                long t2 = System.nanoTime();
                samples[k++] = (t2 - t) / 1e6;
                if (t2 >= end) break;
            }
            double[] s = Arrays.copyOf(samples, k);
            Arrays.sort(s);
            med[w] = s[k / 2];
        }
        return med;
    }

    /**
     * Per-kernel profile of the training step at 1 thread and at {@code threads}: for each kernel its share of the
     * step, microseconds per step at both counts and its parallel efficiency {@code t1 / (threads * tN)}; for the
     * whole step the same, plus the serial fraction that Amdahl's law gives for the measured speed-up,
     * {@code s = (threads / speedup - 1) / (threads - 1)}, and the speed-up it predicts at 16 threads,
     * {@code 1 / (s + (1 - s) / 16)}. Returns the figures for the JSON.
     */
    private Map<String, Object> profileReport(CompiledModel m, int b, int threads, Batches data) {
        int[] counts = threads > 1 ? new int[] {1, threads} : new int[] {1};
        List<Map<String, Double>> perStep = new java.util.ArrayList<>();
        double[] stepMs = new double[counts.length];
        Runnable step = () -> {
            data.next();
            m.trainStep(b);
        };
        for (int i = 0; i < counts.length; i++) {
            Parallel.setThreads(counts[i]);
            callsPerSecond(step, Math.max(2, warmup));
            Map<String, Long> before = m.profile();
            long t0 = System.nanoTime(), steps = 0, end = t0 + (long) (window * windows * 1e9);
            do {
                step.run();
                steps++;
            } while (System.nanoTime() < end);
            stepMs[i] = (System.nanoTime() - t0) / 1e6 / steps;
            Map<String, Double> us = new LinkedHashMap<>();
            for (var e : m.profile().entrySet()) {
                if (e.getKey().startsWith("trainStep ")) {
                    us.put(e.getKey().substring("trainStep ".length()), (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e3 / steps);
                }
            }
            perStep.add(us);
        }
        Parallel.setThreads(threads);
        Map<String, Double> last = perStep.get(perStep.size() - 1), one = perStep.get(0);
        double total = Math.max(1e-9, last.values().stream().mapToDouble(Double::doubleValue).sum());
        System.out.printf("%ntrainStep kernels by time at %d thread%s (of %.3f ms per step; %.1f%% inside kernels):%n", threads,
                threads == 1 ? "" : "s", stepMs[stepMs.length - 1], 100 * total / 1e3 / stepMs[stepMs.length - 1]);
        System.out.printf("  %6s %10s %10s %6s  %s%n", "share", "us@1", "us@" + threads, "eff", "kernel");
        List<Map<String, Object>> kernels = new java.util.ArrayList<>();
        last.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue())).forEach(e -> {
            double t1 = one.getOrDefault(e.getKey(), 0.0), tn = e.getValue();
            double eff = threads > 1 && tn > 0 ? t1 / (threads * tn) : 1;
            if (kernels.size() < 25) {
                System.out.printf("  %5.1f%% %10.1f %10.1f %6.2f  %s%n", 100 * tn / total, t1, tn, eff, e.getKey());
            }
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("kernel", e.getKey());
            k.put("share", tn / total);
            k.put("us_1_thread", t1);
            k.put("us", tn);
            k.put("efficiency", eff);
            kernels.add(k);
        });
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("step_ms_1_thread", stepMs[0]);
        r.put("step_ms", stepMs[stepMs.length - 1]);
        if (threads > 1) {
            double speedup = stepMs[0] / stepMs[1];
            double serial = Math.max(0, Math.min(1, (threads / speedup - 1) / (threads - 1)));
            double predicted16 = 1 / (serial + (1 - serial) / 16);
            System.out.printf("%nstep: %.3f ms at 1 thread, %.3f ms at %d: speed-up %.2fx, parallel efficiency %.2f;%n"
                    + "serial fraction (Amdahl) %.3f, predicted speed-up at 16 threads %.1fx%n",
                    stepMs[0], stepMs[1], threads, speedup, speedup / threads, serial, predicted16);
            r.put("speedup", speedup);
            r.put("efficiency", speedup / threads);
            r.put("serial_fraction", serial);
            r.put("predicted_speedup_16_threads", predicted16);
        }
        r.put("kernels", kernels);
        return r;
    }

    private static Map<String, Double> stats(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("median", s[s.length / 2]);
        m.put("min", s[0]);
        m.put("max", s[s.length - 1]);
        return m;
    }

    private static String stem(Path p) {
        String f = p.getFileName().toString();
        return f.endsWith(".ingot") ? f.substring(0, f.length() - 6) : f;
    }
}
