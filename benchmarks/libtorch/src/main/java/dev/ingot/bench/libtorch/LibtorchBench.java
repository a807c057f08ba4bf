package dev.ingot.bench.libtorch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One reference workload (WORKLOADS.md) on libtorch 2.7.1 through DJL, measured as benchmarks/pytorch/bench_torch.py
 * measures PyTorch and {@code bin/ingot bench} measures Ingot; writes the same JSON schema.
 *
 * <pre>
 *   run_djl.sh WORKLOAD THREADS JSON [--warmup S] [--window S] [--windows N] [--metrics train,infer,latency]
 * </pre>
 * Protocol: per metric, >= warmup seconds of untimed steps, then {@code windows} timed windows of >= window
 * seconds; median/min/max over the windows. train = forward + loss + backward + gradient clipping (where the
 * example clips) + optimizer update on one batch; infer = every output of the example's predict (seq2seq: also the
 * greedy decoding) at the training batch size, no autograd, dropout off; latency_b1_ms = the same at batch 1, p50
 * of the calls in each window. Every tensor made during a step is freed at the end of the step (NDScope).
 */
public final class LibtorchBench {
    private LibtorchBench() {
    }

    private static final int N_BATCHES = 8;

    /** torch.set_flush_denormal(True) through {@link FlushDenormal} (JDK 22+; loaded only when asked for). */
    private static void enableFlushDenormal() {
        if (Runtime.version().feature() < 22) {
            usage("--flush-denormal needs JDK 22 or newer (this is " + Runtime.version() + ")");
        }
        try {
            Object ok = Class.forName("dev.ingot.bench.libtorch.FlushDenormal").getMethod("enable").invoke(null);
            if (!Boolean.TRUE.equals(ok)) {
                System.err.println("libtorch: this CPU cannot flush denormals");
                System.exit(1);
            }
        } catch (ClassNotFoundException e) {
            usage("--flush-denormal: this build has no FlushDenormal (Maven ran on JDK 17); rebuild on JDK 22+: "
                    + "JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -f benchmarks/libtorch/pom.xml package");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("--flush-denormal: " + e, e);
        }
    }

    public static void main(String[] args) throws IOException {
        String workload = null;
        String json = null;
        String buildInfo = null;
        int threads = 1;
        double warmup = 2;
        double window = 2;
        int windows = 5;
        String metrics = "train,infer,latency";
        boolean flushDenormal = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--threads": threads = Integer.parseInt(args[++i]); break;
                case "--json": json = args[++i]; break;
                case "--warmup": warmup = Double.parseDouble(args[++i]); break;
                case "--window": window = Double.parseDouble(args[++i]); break;
                case "--windows": windows = Integer.parseInt(args[++i]); break;
                case "--metrics": metrics = args[++i]; break;
                case "--build-info": buildInfo = args[++i]; break;
                case "--flush-denormal": flushDenormal = true; break;
                default:
                    if (a.startsWith("-") || workload != null) {
                        usage("unknown argument " + a);
                    }
                    workload = a;
            }
        }
        if (workload == null) {
            usage("no workload given");
        }
        if (!Arrays.asList(Workloads.NAMES).contains(workload)) {
            usage("unknown workload '" + workload + "'; known: " + String.join(", ", Workloads.NAMES));
        }
        // libtorch's intra-op pool = threads, inter-op pool = 1; read by PtEngine when it starts
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Engine engine = Engine.getEngine("PyTorch");
        if (flushDenormal) {
            enableFlushDenormal();
        }
        Map<String, Object> env = environment(engine, threads, buildInfo);
        System.out.println("libtorch " + engine.getVersion() + " via DJL " + Engine.getDjlVersion()
                + ": features " + env.get("torch_features") + ", intra-op threads " + env.get("torch_num_threads")
                + ", inter-op threads " + env.get("torch_num_interop_threads"));
        if (buildInfo != null) {
            for (String line : Files.readAllLines(Path.of(buildInfo))) {
                System.out.println("  " + line);
            }
        }
        if (JniUtils.getNumThreads() != threads) {
            System.err.println("warning: libtorch uses " + JniUtils.getNumThreads() + " threads, asked " + threads);
        }

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("workload", workload);
        result.put("framework", "libtorch " + engine.getVersion() + " (DJL " + Engine.getDjlVersion() + ")");
        if (flushDenormal) {
            result.put("flush_denormal", true);
        }
        Map<String, Object> perWindow = new LinkedHashMap<>();
        Map<String, Object> loads = new LinkedHashMap<>();
        Measure m = new Measure(warmup, window, windows);
        int batch;
        try (NDManager pm = engine.newBaseManager()) {
            Workloads.Net net = Workloads.create(workload, pm);
            batch = net.batch;
            net.optim.ensureState(net.params, true);
            Workloads.Batch[] data = net.data(pm, batch, N_BATCHES);
            Workloads.Batch[] data1 = net.data(pm, 1, N_BATCHES);
            List<String> ms = Arrays.asList(metrics.split(","));
            int[] it = {0};
            if (ms.contains("train")) {
                Runnable step = () -> {
                    Workloads.Batch b = data[it[0]++ % N_BATCHES];
                    try (NDScope scope = new NDScope()) {
                        try (GradientCollector gc = engine.newGradientCollector()) {
                            NDArray out = net.forward(b.inputs(), true);
                            gc.backward(net.loss(out, b.target()));
                        }
                        net.clipGradients();
                        net.optim.step(net.params);
                    }
                };
                record(result, perWindow, loads, "train", "train_examples_per_second", m.run(step, batch, false), 1);
            }
            if (ms.contains("infer")) {
                Runnable step = () -> infer(net, data[it[0]++ % N_BATCHES].inputs());
                record(result, perWindow, loads, "infer", "infer_examples_per_second", m.run(step, batch, false), 1);
            }
            if (ms.contains("latency")) {
                Runnable step = () -> infer(net, data1[it[0]++ % N_BATCHES].inputs());
                record(result, perWindow, loads, "latency", "latency_b1_ms", m.run(step, 1, true), 4);
            }
        }
        result.put("threads", threads);
        result.put("batch", batch);
        result.put("env", env);
        result.put("windows", perWindow);
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("foreign_cores_per_window", loads);
        result.put("machine_load", load);

        System.out.printf("%s  %s  threads %d  batch %d%n", workload, result.get("framework"), threads, batch);
        for (String key : new String[] {"train_examples_per_second", "infer_examples_per_second", "latency_b1_ms"}) {
            if (result.containsKey(key)) {
                @SuppressWarnings("unchecked")
                Map<String, Double> s = (Map<String, Double>) result.get(key);
                System.out.printf("%-28s %10.4g %10.4g %10.4g   (median min max)%n", key, s.get("median"), s.get("min"),
                        s.get("max"));
            }
        }
        if (json != null) {
            Path p = Path.of(json).toAbsolutePath();
            if (p.getParent() != null) {
                Files.createDirectories(p.getParent());
            }
            Files.writeString(p, new GsonBuilder().setPrettyPrinting().create().toJson(result) + "\n");
        }
    }

    private static void infer(Workloads.Net net, NDList inputs) {
        try (NDScope scope = new NDScope()) {
            net.predict(inputs);
        }
    }

    private static void record(Map<String, Object> result, Map<String, Object> perWindow, Map<String, Object> loads,
                               String key, String field, Measure.Result r, int digits) {
        double[] v = r.values().clone();
        Arrays.sort(v);
        double scale = Math.pow(10, digits);
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("median", Math.round(median(v) * scale) / scale);
        s.put("min", Math.round(v[0] * scale) / scale);
        s.put("max", Math.round(v[v.length - 1] * scale) / scale);
        result.put(field, s);
        List<Double> w = new ArrayList<>();
        for (double x : r.values()) {
            w.add(Math.round(x * scale) / scale);
        }
        perWindow.put(key, w);
        List<Double> l = new ArrayList<>();
        for (double x : r.foreignCores()) {
            l.add(Math.round(x * 100) / 100.0);
        }
        loads.put(key, l);
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static Map<String, Object> environment(Engine engine, int threads, String buildInfo) throws IOException {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("torch_version", engine.getVersion());
        env.put("djl_version", Engine.getDjlVersion());
        env.put("torch_features", new TreeSet<>(JniUtils.getFeatures()).toString());
        env.put("torch_num_threads", JniUtils.getNumThreads());
        env.put("torch_num_interop_threads", JniUtils.getNumInteropThreads());
        for (String k : new String[] {"OMP_NUM_THREADS", "MKL_NUM_THREADS", "OMP_WAIT_POLICY", "LD_PRELOAD",
                "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "DJL_CACHE_DIR"}) {
            env.put(k, System.getenv(k));
        }
        env.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
        if (buildInfo != null) {
            env.put("build_info", Files.readAllLines(Path.of(buildInfo)));
        }
        return env;
    }

    private static void usage(String msg) {
        System.err.println("libtorch bench: " + msg);
        System.err.println("usage: run_djl.sh WORKLOAD THREADS JSON [--warmup S] [--window S] [--windows N] "
                + "[--metrics train,infer,latency]");
        System.exit(2);
    }
}
