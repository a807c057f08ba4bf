package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * Uniform random numbers in [0, 1) of {@code shape}, for dropout. Inputs: the model's seed and the
 * step counter (scalar state); attribute {@code stream} tells call sites apart. Each element is a
 * hash of (seed, counter, stream, flat index) ({@code dev.ingot.runtime.kernels.Rng}), so the
 * numbers are reproducible, differ per step, and can be drawn inside fused vector loops. No gradient.
 */
public final class RandomUniform implements Elementwise {
    public String name() { return "random_uniform"; }

    @Override public boolean indexed() { return true; }

    @Override public TensorType inferType(List<TensorType> in, Attrs a) { return TensorType.f32(new Shape(a.ints("shape"))); }

    public double apply(double[] x, Attrs a) { throw new UnsupportedOperationException("random_uniform needs its element index"); }

    @Override public double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        int key = dev.ingot.runtime.kernels.Rng.key((int) in.get(0)[0], (int) in.get(1)[0], a.i("stream"));
        double[] r = new double[Broadcasting.numel(out)];
        for (int i = 0; i < r.length; i++) r[i] = dev.ingot.runtime.kernels.Rng.uniform(key, i);
        return r;
    }

    /** Operands: seed, counter, then the element index (an int expression). */
    public String scalar(List<String> x, Attrs a) {
        return "Rng.uniform(Rng.key((int) " + x.get(0) + ", (int) " + x.get(1) + ", " + a.i("stream") + "), " + x.get(2) + ")";
    }

    /** Operands: seed, counter (as scalars, uniform across the loop), then the first index of the vector. */
    public String vector(List<String> x, Attrs a) {
        return "RngVectors.uniform(I, Rng.key((int) " + x.get(0) + ", (int) " + x.get(1) + ", " + a.i("stream") + "), " + x.get(2) + ")";
    }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return Arrays.asList(null, null); }
}
