package dev.ingot.examples;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.io.SafeTensors;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shared by the PyTorch interop tests: the fixtures of tools/interop (see its README.md), the
 * example models compiled once per JVM, and filling inputs / reading outputs by tensor name.
 *
 * <p>Fixture files, per example {@code X} (mnist_mlp, mnist_cnn, char_lstm):
 * {@code X.torch.safetensors} (PyTorch's weights in Ingot's names, by export.py),
 * {@code X.torch-io.safetensors} (inputs, labels and PyTorch's outputs),
 * {@code X.ingot.safetensors} (a checkpoint saved by Ingot) and {@code X.ingot-io.safetensors}
 * (the same inputs and Ingot's outputs; for the Python side, check_roundtrip.sh).
 */
final class Interop {
    private Interop() {}

    static final List<String> MODELS = List.of("mnist_mlp", "mnist_cnn", "char_lstm");
    /** Largest accepted |Ingot - PyTorch| of an output. */
    static final double TOLERANCE = 1e-4;

    private static final Map<String, Compiler.Result> COMPILED = new ConcurrentHashMap<>();

    static Path fixtures() {
        Path p = Path.of("../tools/interop/fixtures");
        if (!Files.isDirectory(p)) p = Path.of("tools/interop/fixtures");
        return p;
    }

    static Path fixture(String name) { return fixtures().resolve(name); }

    /** The example compiled with or without its training entry points (no optimizer state without). */
    static Compiler.Result compile(String model, boolean training) {
        return COMPILED.computeIfAbsent(model + ":" + training, k -> Compiler.compile(SourceFile.read(Examples.file(model + ".ingot")),
                Compiler.Options.defaults().withTraining(training)));
    }

    static Map<String, SafeTensors.Entry> read(Path p) throws IOException { return SafeTensors.read(p).tensors(); }

    /** The batch size of the inputs of {@code io}. */
    static int batch(CompiledModel m, Map<String, SafeTensors.Entry> io) {
        return io.get(m.spec().inputs().get(0).name()).shape()[0];
    }

    /** Copies the model's inputs (and labels, if {@code labels}) from {@code io} into its buffers. */
    static void bind(CompiledModel m, Map<String, SafeTensors.Entry> io, boolean labels) {
        List<TensorSpec> specs = new ArrayList<>(m.spec().inputs());
        if (labels) specs.addAll(m.spec().labels());
        int n = batch(m, io);
        for (TensorSpec t : specs) {
            SafeTensors.Entry e = io.get(t.name());
            if (e == null) throw new IllegalArgumentException("no tensor '" + t.name() + "' among " + io.keySet());
            int[] want = t.shape();
            want[0] = n;
            if (!Arrays.equals(e.shape(), want)) {
                throw new IllegalArgumentException("'" + t.name() + "' is " + Arrays.toString(e.shape()) + ", model takes " + Arrays.toString(want));
            }
            if (t.dtype() == DType.F32) System.arraycopy(floats(e), 0, m.inputF32(t.name()), 0, e.f32().length);
            else {
                int[] v = ints(e);
                System.arraycopy(v, 0, m.inputI32(t.name()), 0, v.length);
            }
        }
    }

    private static float[] floats(SafeTensors.Entry e) {
        if (e.f32() != null) return e.f32();
        float[] f = new float[e.i32().length];
        for (int i = 0; i < f.length; i++) f[i] = e.i32()[i];
        return f;
    }

    private static int[] ints(SafeTensors.Entry e) {
        if (e.i32() != null) return e.i32();
        int[] a = new int[e.f32().length];
        for (int i = 0; i < a.length; i++) a[i] = (int) e.f32()[i];
        return a;
    }

    /** Runs predict on the inputs of {@code io}; returns every output (first n examples) by name. */
    static Map<String, SafeTensors.Entry> predict(CompiledModel m, Map<String, SafeTensors.Entry> io) {
        bind(m, io, false);
        int n = batch(m, io);
        m.predict(n);
        Map<String, SafeTensors.Entry> out = new LinkedHashMap<>();
        for (int i = 0; i < m.spec().outputs().size(); i++) {
            TensorSpec t = m.spec().outputs().get(i);
            int[] shape = t.shape();
            shape[0] = n;
            out.put(t.name(), SafeTensors.Entry.f32(t.name(), shape, Arrays.copyOf(m.output(i), n * t.numelPerExample())));
        }
        return out;
    }

    /**
     * Writes {@code file}: the model's inputs (and labels, if {@code labels}) from {@code io}, then the
     * outputs {@code out}, with metadata model, weights (the checkpoint's file name), outputs_by and
     * {@code extra}.
     */
    static void writeIo(Path file, CompiledModel m, Map<String, SafeTensors.Entry> io, boolean labels,
                        Map<String, SafeTensors.Entry> out, Path weights, String outputsBy, Map<String, String> extra) throws IOException {
        List<SafeTensors.Entry> entries = new ArrayList<>();
        for (TensorSpec t : m.spec().inputs()) entries.add(io.get(t.name()));
        if (labels) for (TensorSpec t : m.spec().labels()) entries.add(io.get(t.name()));
        entries.addAll(out.values());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("model", m.spec().name());
        meta.put("weights", weights.getFileName().toString());
        meta.put("outputs_by", outputsBy);
        meta.putAll(extra);
        SafeTensors.write(file, entries, meta);
    }

    /** max |a - b|; the shapes must agree. */
    static double maxAbsDiff(SafeTensors.Entry a, SafeTensors.Entry b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new AssertionError("'" + a.name() + "': shape " + Arrays.toString(a.shape()) + " vs " + Arrays.toString(b.shape()));
        }
        double d = 0;
        for (int i = 0; i < a.f32().length; i++) d = Math.max(d, Math.abs((double) a.f32()[i] - b.f32()[i]));
        return d;
    }

    static double maxAbs(SafeTensors.Entry a) {
        double d = 0;
        for (float v : a.f32()) d = Math.max(d, Math.abs(v));
        return d;
    }

    /** Fraction of rows (over the last axis) whose argmax agree. */
    static double argmaxAgreement(SafeTensors.Entry a, SafeTensors.Entry b) {
        int[] s = a.shape();
        int k = s[s.length - 1], rows = a.f32().length / k, same = 0;
        for (int r = 0; r < rows; r++) if (argmax(a.f32(), r * k, k) == argmax(b.f32(), r * k, k)) same++;
        return (double) same / rows;
    }

    private static int argmax(float[] a, int off, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) if (a[off + j] > a[off + best]) best = j;
        return best;
    }
}
