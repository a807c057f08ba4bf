package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ShapeError;

/**
 * Random numbers inside a model, from its seeded generator (the {@code random_uniform} primitive
 * that dropout uses: a hash of the model's seed, the step counter, the call site and the element
 * index), so they are reproducible from the seed, new every training step, saved with the RNG state
 * in checkpoints, and the same whatever the number of threads. Shapes may use {@code batch}. No
 * gradient flows into the noise; gradients flow through what is computed from it (the VAE's
 * reparameterisation {@code mu + exp(0.5 * logvar) * random_normal([batch, 16])}).
 * <ul>
 *   <li>{@code random_normal(shape, mean = 0, std = 1)}: Box-Muller from two uniform draws;</li>
 *   <li>{@code random_uniform(shape, lo = 0, hi = 1)}: uniform in [lo, hi);</li>
 *   <li>{@code bernoulli(p, shape)}: 1 with probability {@code p} (a number or a tensor that
 *       broadcasts to {@code shape}), else 0.</li>
 * </ul>
 * In predict and evaluate the step counter does not move: the same call gives the same numbers.
 */
public final class RandomDraws implements Builtin {
    private final String name;

    private RandomDraws(String name) { this.name = name; }

    public static RandomDraws normal() { return new RandomDraws("random_normal"); }
    public static RandomDraws uniform() { return new RandomDraws("random_uniform"); }
    public static RandomDraws bernoulli() { return new RandomDraws("bernoulli"); }

    public String name() { return name; }

    public Signature signature() {
        return switch (name) {
            case "random_normal" -> Signature.of(Builtin.param("shape", Kind.SHAPE, null), Builtin.param("mean", Kind.NUMBER, 0.0), Builtin.param("std", Kind.NUMBER, 1.0));
            case "random_uniform" -> Signature.of(Builtin.param("shape", Kind.SHAPE, null), Builtin.param("lo", Kind.NUMBER, 0.0), Builtin.param("hi", Kind.NUMBER, 1.0));
            default -> Signature.of(Builtin.tensor("p"), Builtin.param("shape", Kind.SHAPE, null));
        };
    }

    public Node call(GraphBuilder b, Args a) {
        Shape s = shape(a.shape("shape"));
        return switch (name) {
            case "random_normal" -> {
                Node u1 = draw(b, s), u2 = draw(b, s);
                Node r = b.sqrt(b.mul(b.log(b.sub(b.one(), u1)), -2.0));          // 1 - u1 is in (0, 1]
                Node z = b.mul(r, b.node(Ops.COS, b.mul(u2, 2 * Math.PI)));
                yield affine(b, z, a.d("std"), a.d("mean"));
            }
            case "random_uniform" -> {
                if (!(a.d("hi") > a.d("lo"))) throw new ShapeError("random_uniform: hi must be larger than lo, got [" + a.d("lo") + ", " + a.d("hi") + ")");
                yield affine(b, draw(b, s), a.d("hi") - a.d("lo"), a.d("lo"));
            }
            default -> {
                Node p = a.tensor("p");
                Node u = draw(b, s);
                Shape out = dev.ingot.compiler.ops.Broadcasting.broadcast("bernoulli", s, p.shape());
                if (!out.equals(s)) throw new ShapeError("bernoulli: p of shape " + p.shape() + " does not broadcast to the shape " + s);
                yield b.toF32(b.lt(u, p));
            }
        };
    }

    private static Node affine(GraphBuilder b, Node x, double scale, double shift) {
        Node r = scale == 1 ? x : b.mul(x, scale);
        return shift == 0 ? r : b.add(r, b.constant(shift));
    }

    /** Uniform [0, 1) numbers of shape {@code s}, from a call site of their own. */
    private static Node draw(GraphBuilder b, Shape s) {
        return b.node(Ops.RANDOM_UNIFORM, Attrs.of("shape", s.dims(), "stream", b.nextStream()), b.rngSeed(), b.rngCounter());
    }

    private Shape shape(int[] dims) {
        for (int d : dims) if (d == Ops.INFER) throw new ShapeError(name + ": the shape cannot have a -1 dimension");
        try {
            return new Shape(dims);
        } catch (IllegalArgumentException e) {
            throw new ShapeError(name + ": " + e.getMessage());
        }
    }
}
