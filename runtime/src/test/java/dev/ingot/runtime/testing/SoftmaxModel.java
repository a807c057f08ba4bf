package dev.ingot.runtime.testing;

import dev.ingot.runtime.init.Init;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.ModelSpec;
import dev.ingot.runtime.model.TensorSpec;
import dev.ingot.runtime.model.TrainConfig;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A hand-written "compiled" model for tests: softmax regression {@code probs = softmax(x·w + b)}
 * with cross-entropy loss and SGD with momentum, gradients computed in plain Java. State:
 * momentum buffers {@code w.m}, {@code b.m} and a step counter {@code step}.
 */
public class SoftmaxModel extends CompiledModel {
    private final ModelSpec spec;
    private final int d, c;
    private final float lr, momentum;
    private final float[] x, probs, w, b, wm, bm, step, gw, gb;
    private final int[] y;
    public int trainSteps;

    public SoftmaxModel(String name, int features, int classes, int maxBatch, int batch, int epochs, float lr) {
        super(maxBatch);
        this.d = features;
        this.c = classes;
        this.lr = lr;
        this.momentum = 0.9f;
        int B = TensorSpec.BATCH;
        this.spec = new ModelSpec(name, name + ".ingot",
                List.of(new TensorSpec("x", DType.F32, new int[] {B, d})),
                List.of(new TensorSpec("y", DType.I32, new int[] {B})),
                List.of(new TensorSpec("probs", DType.F32, new int[] {B, c})),
                List.of(new TensorSpec("w", DType.F32, new int[] {d, c}), new TensorSpec("b", DType.F32, new int[] {c})),
                List.of(new TensorSpec("w.m", DType.F32, new int[] {d, c}), new TensorSpec("b.m", DType.F32, new int[] {c}),
                        new TensorSpec("step", DType.I32, new int[] {1})),
                new TrainConfig(batch, epochs, "sgd", Map.of("lr", (double) lr, "momentum", 0.9), null));
        x = new float[maxBatch * d];
        y = new int[maxBatch];
        probs = new float[maxBatch * c];
        w = new float[d * c];
        b = new float[c];
        wm = new float[d * c];
        bm = new float[c];
        step = new float[1];
        gw = new float[d * c];
        gb = new float[c];
    }

    public SoftmaxModel(int features, int classes, int maxBatch) {
        this("softmax", features, classes, maxBatch, Math.min(32, maxBatch), 3, 0.1f);
    }

    @Override public ModelSpec spec() { return spec; }

    private void forward(int n) {
        for (int i = 0; i < n; i++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) {
                float z = b[k];
                for (int j = 0; j < d; j++) z += x[i * d + j] * w[j * c + k];
                probs[i * c + k] = z;
                max = Math.max(max, z);
            }
            float sum = 0;
            for (int k = 0; k < c; k++) sum += probs[i * c + k] = (float) Math.exp(probs[i * c + k] - max);
            for (int k = 0; k < c; k++) probs[i * c + k] /= sum;
        }
    }

    private float loss(int n) {
        double l = 0;
        for (int i = 0; i < n; i++) l -= Math.log(Math.max(probs[i * c + y[i]], 1e-30f));
        return (float) (l / n);
    }

    @Override public float trainStep(int n) {
        forward(n);
        float loss = loss(n);
        Arrays.fill(gw, 0);
        Arrays.fill(gb, 0);
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                float g = (probs[i * c + k] - (k == y[i] ? 1 : 0)) / n;
                gb[k] += g;
                for (int j = 0; j < d; j++) gw[j * c + k] += x[i * d + j] * g;
            }
        }
        for (int i = 0; i < w.length; i++) w[i] -= lr * (wm[i] = momentum * wm[i] + gw[i]);
        for (int i = 0; i < b.length; i++) b[i] -= lr * (bm[i] = momentum * bm[i] + gb[i]);
        step[0]++;
        trainSteps++;
        return loss;
    }

    @Override public void predict(int n) { forward(n); }

    @Override public float evaluate(int n) {
        forward(n);
        return loss(n);
    }

    @Override public float[] inputF32(String name) {
        if (name.equals("x")) return x;
        throw new IllegalArgumentException("no f32 input " + name);
    }

    @Override public int[] inputI32(String name) {
        if (name.equals("y")) return y;
        throw new IllegalArgumentException("no i32 input " + name);
    }

    @Override public float[] output(int i) { return probs; }

    @Override public float[] param(String name) {
        return switch (name) {
            case "w" -> w;
            case "b" -> b;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Override public float[] state(String name) {
        return switch (name) {
            case "w.m" -> wm;
            case "b.m" -> bm;
            case "step" -> step;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Override public void initialize(long seed) {
        Init.glorotUniform(w, d, c, new SplittableRandom(seed));
        Init.zeros(b);
        Init.zeros(wm);
        Init.zeros(bm);
        Init.zeros(step);
    }

    /** {@code n} points in {@code classes} well-separated Gaussian blobs in {@code features} dimensions. */
    public static dev.ingot.runtime.data.Dataset blobs(int n, int features, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] centers = new float[classes][features];
        for (float[] ctr : centers) for (int j = 0; j < features; j++) ctr[j] = (float) (r.nextDouble() * 8 - 4);
        float[] xs = new float[n * features];
        int[] ys = new int[n];
        float[] noise = new float[features];
        for (int i = 0; i < n; i++) {
            ys[i] = r.nextInt(classes);
            Init.normal(noise, 0, 0.7, r);
            for (int j = 0; j < features; j++) xs[i * features + j] = centers[ys[i]][j] + noise[j];
        }
        return dev.ingot.runtime.data.Dataset.of(
                dev.ingot.runtime.data.Dataset.Field.f32("features", new int[] {features}, xs),
                dev.ingot.runtime.data.Dataset.Field.i32("target", new int[] {}, ys));
    }
}
