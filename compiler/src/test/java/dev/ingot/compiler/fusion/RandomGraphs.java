package dev.ingot.compiler.fusion;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import dev.ingot.compiler.ops.Broadcasting;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ShapeError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random well-typed graphs for the property test of fusion and scheduling: inputs with a batch
 * dimension, parameters without, and a random sequence of ops of every kind (elementwise unary and
 * binary with numpy broadcasting, comparisons and where, broadcasts, reductions with and without
 * kept dimensions, matmuls, transposes, reshapes, a softmax), each reading earlier values at random
 * (so values fan out). Values stay bounded (exp of a tanh, divisions by {@code 1 + b^2}, logs and
 * square roots of {@code 1 + x^2}) so float32 code and the float64 interpreter stay comparable.
 */
final class RandomGraphs {
    /** One generated model: leaves, named outputs and a scalar loss of all outputs. */
    record Case(List<Node> inputs, List<Node> params, Map<String, Node> outputs, Node loss, String description) {}

    private final GraphBuilder b;
    private final SplittableRandom r;
    private final String prefix;
    private final List<Node> pool = new ArrayList<>();
    private final List<Node> inputs = new ArrayList<>(), params = new ArrayList<>();
    private final StringBuilder ops = new StringBuilder();

    private RandomGraphs(GraphBuilder b, SplittableRandom r, String prefix) {
        this.b = b;
        this.r = r;
        this.prefix = prefix;
    }

    /** A random graph of about {@code size} ops; leaves are named with {@code prefix}. */
    static Case generate(GraphBuilder b, long seed, String prefix, int size) {
        return new RandomGraphs(b, new SplittableRandom(seed), prefix).build(size);
    }

    private Case build(int size) {
        int d1 = 2 + r.nextInt(4), d2 = 2 + r.nextInt(4);
        pool.add(input(Shape.of(Shape.BATCH, d1)));
        if (r.nextBoolean()) pool.add(input(Shape.of(Shape.BATCH, d2, d1)));
        pool.add(b.tanh(b.add(pool.get(0), param(Shape.of(d1)))));
        for (int i = 0; i < size; i++) {
            try {
                Node n = step();
                if (n != null) pool.add(n);
            } catch (ShapeError e) {
                // an op that does not fit the chosen operands: try another
            }
        }
        // outputs: the last value and a random earlier one; the loss reads them all
        Map<String, Node> outs = new LinkedHashMap<>();
        outs.put(prefix + "y0", pool.get(pool.size() - 1));
        Node other = pool.get(r.nextInt(pool.size()));
        if (other != pool.get(pool.size() - 1)) outs.put(prefix + "y1", other);
        Node loss = null;
        for (Node o : outs.values()) {
            Node term = b.sumAll(b.mul(b.tanh(o), o));
            loss = loss == null ? term : b.add(loss, term);
        }
        // parameters that no output reaches get no gradient: keep only the used ones
        return new Case(inputs, params, outs, loss, ops.toString());
    }

    private Node input(Shape s) {
        Node n = b.input(prefix + "x" + inputs.size(), TensorType.f32(s.dims()), "input");
        inputs.add(n);
        return n;
    }

    private Node param(Shape s) {
        Node n = b.param(prefix + "p" + params.size(), TensorType.f32(s.dims()), Attrs.of("kind", "zeros"));
        params.add(n);
        return n;
    }

    private Node pick() {
        // prefer recent values, so chains get deep, but reach back (fan-out)
        int n = pool.size();
        return r.nextInt(3) == 0 ? pool.get(r.nextInt(n)) : pool.get(Math.max(0, n - 1 - r.nextInt(Math.min(n, 3))));
    }

    private Node step() {
        Node a = pick();
        int kind = r.nextInt(14);
        Shape s = a.shape();
        ops.append(' ');
        switch (kind) {
            case 0, 1 -> {           // unary elementwise
                int u = r.nextInt(10);
                ops.append("unary").append(u);
                return switch (u) {
                    case 0 -> b.tanh(a);
                    case 1 -> b.sigmoid(a);
                    case 2 -> b.exp(b.tanh(a));
                    case 3 -> b.neg(a);
                    case 4 -> b.node(Ops.ABS, a);
                    case 5 -> b.sqrt(b.add(b.mul(a, a), b.one()));
                    case 6 -> b.log(b.add(b.mul(a, a), b.one()));
                    case 7 -> b.pow(a, 2);
                    case 8 -> b.where(b.gt(a, b.zero()), a, b.zero());      // relu as the relu composite builds it
                    default -> b.maximum(a, b.zero());
                };
            }
            case 2, 3, 4 -> {        // binary with broadcasting (a value of compatible shape, or a parameter)
                Node c = partner(a);
                int o = r.nextInt(7);
                ops.append("binary").append(o);
                return switch (o) {
                    case 0 -> b.add(a, c);
                    case 1 -> b.sub(a, c);
                    case 2 -> b.mul(a, c);
                    case 3 -> b.div(a, b.add(b.mul(c, c), b.one()));
                    case 4 -> b.maximum(a, c);
                    case 5 -> b.minimum(a, c);
                    default -> b.where(b.gt(a, c), a, b.mul(c, 0.5));
                };
            }
            case 5, 6 -> {           // reduction over one axis or a block of axes
                if (s.rank() == 0) return null;
                int first = r.nextInt(s.rank()), last = first + r.nextInt(s.rank() - first);
                int[] axes = new int[last - first + 1];
                for (int i = 0; i < axes.length; i++) axes[i] = first + i;
                boolean keep = r.nextBoolean(), max = r.nextInt(3) == 0;
                ops.append(max ? "max" : "sum").append(java.util.Arrays.toString(axes)).append(keep ? "k" : "");
                Node red = max ? b.max(a, axes, keep) : b.sum(a, axes, keep);
                return max ? red : b.tanh(red);
            }
            case 7 -> {              // matmul by a parameter
                if (s.rank() < 1 || s.rank() > 3 || s.dim(-1) == Shape.BATCH) return null;
                int n = 2 + r.nextInt(4);
                ops.append("matmul");
                return b.node(Ops.MATMUL, Attrs.of("transA", false, "transB", false), a, param(Shape.of(s.dim(-1), n)));
            }
            case 8 -> {              // transpose of the non-batch axes
                if (s.rank() < 2) return null;
                int[] perm = new int[s.rank()];
                for (int i = 0; i < perm.length; i++) perm[i] = i;
                int i = s.rank() - 2, j = s.rank() - 1;
                if (s.dim(i) == Shape.BATCH || s.dim(j) == Shape.BATCH) return null;
                perm[i] = j;
                perm[j] = i;
                ops.append("transpose");
                return b.node(Ops.TRANSPOSE, Attrs.of("perm", perm), a);
            }
            case 9 -> {              // reshape: merge the last two axes, or split off a 1
                if (s.rank() >= 2 && s.dim(-1) != Shape.BATCH && s.dim(-2) != Shape.BATCH) {
                    int[] d = new int[s.rank() - 1];
                    System.arraycopy(s.dims(), 0, d, 0, d.length - 1);
                    d[d.length - 1] = s.dim(-1) * s.dim(-2);
                    ops.append("reshape");
                    return b.node(Ops.RESHAPE, Attrs.of("shape", d), a);
                }
                int[] d = java.util.Arrays.copyOf(s.dims(), s.rank() + 1);
                d[s.rank()] = 1;
                ops.append("reshape1");
                return b.node(Ops.RESHAPE, Attrs.of("shape", d), a);
            }
            case 10 -> {             // broadcast to a wider shape
                if (s.rank() == 0 || s.rank() > 2) return null;
                int[] d = java.util.Arrays.copyOf(s.dims(), s.rank() + 1);
                d[s.rank()] = 2 + r.nextInt(3);
                Node wide = b.broadcastTo(b.node(Ops.RESHAPE, Attrs.of("shape", withOne(s)), a), new Shape(d));
                ops.append("broadcast");
                return wide;
            }
            case 11 -> {             // slices along a non-batch axis: two halves combined like an LSTM's gates, or one alone
                List<Integer> axes = new ArrayList<>();
                for (int d = 0; d < s.rank(); d++) if (!s.isBatchDim(d) && s.dim(d) >= 2) axes.add(d);
                if (axes.isEmpty()) return null;
                int ax = axes.get(r.nextInt(axes.size())), h = s.dim(ax) / 2;
                Node lo = slice(a, ax, 0, h), hi = slice(a, ax, h, 2 * h);
                ops.append("slice").append(ax);
                return r.nextBoolean() ? b.mul(b.sigmoid(lo), b.tanh(hi)) : hi;
            }
            case 12 -> {             // concatenation along a non-batch axis of two elementwise values (assembled in place)
                List<Integer> axes = new ArrayList<>();
                for (int d = 0; d < s.rank(); d++) if (!s.isBatchDim(d)) axes.add(d);
                if (axes.isEmpty()) return null;
                int ax = axes.get(r.nextInt(axes.size()));
                ops.append("concat").append(ax);
                Node other = r.nextBoolean() ? b.sigmoid(a) : b.mul(a, a);
                return r.nextBoolean() ? b.node(Ops.CONCAT, List.of(b.tanh(a), other), Attrs.of("axis", ax))
                        : b.node(Ops.CONCAT, List.of(other, a, b.neg(a)), Attrs.of("axis", ax));
            }
            default -> {             // softmax over the last axis
                if (s.rank() == 0) return null;
                int[] last = {s.rank() - 1};
                Node e = b.exp(b.sub(a, b.max(a, last, true)));
                ops.append("softmax");
                return b.div(e, b.sum(e, last, true));
            }
        }
    }

    /** {@code a} cut to {@code [from, to)} along {@code axis}. */
    private Node slice(Node a, int axis, int from, int to) {
        Shape s = a.shape();
        int[] begin = new int[s.rank()], end = s.dims();
        begin[axis] = from;
        end[axis] = to;
        return b.node(Ops.SLICE, Attrs.of("begin", begin, "end", end), a);
    }

    private static int[] withOne(Shape s) {
        int[] d = java.util.Arrays.copyOf(s.dims(), s.rank() + 1);
        d[s.rank()] = 1;
        return d;
    }

    /** An operand that broadcasts with {@code a}: a pool value when one fits, else a parameter of a trailing shape. */
    private Node partner(Node a) {
        for (int tries = 0; tries < 4; tries++) {
            Node c = pool.get(r.nextInt(pool.size()));
            try {
                Shape out = Broadcasting.broadcast("test", a.shape(), c.shape());
                if (out.equals(a.shape()) || r.nextBoolean()) return c;
            } catch (ShapeError e) {
                // try another
            }
        }
        Shape s = a.shape();
        int keep = s.rank() == 0 ? 0 : r.nextInt(s.rank() + 1);
        int[] d = new int[keep];
        for (int i = 0; i < keep; i++) {
            int dim = s.dim(s.rank() - keep + i);
            d[i] = dim == Shape.BATCH || r.nextInt(4) == 0 ? 1 : dim;
        }
        return param(new Shape(d));
    }
}
