package dev.ingot.compiler.ir;

import dev.ingot.compiler.ops.Op;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ShapeError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The only way to create {@link Node}s. It runs the op's shape rule when a node is created (so an
 * ill-typed node cannot exist) and interns nodes by {@code (op, input ids, attrs)}, so building the
 * same expression twice yields the same node. It also carries the current provenance, which the
 * frontend sets per DSL expression and the autodiff pass per differentiated node.
 *
 * <p>The convenience methods below are the vocabulary of gradient rules, composites and passes.
 */
public final class GraphBuilder {
    private record Key(Op op, List<Integer> inputs, Attrs attrs) {}

    private final Map<Key, Node> interned = new HashMap<>();
    private final java.util.Set<Node> created = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** Ids are global so that nodes of different builders (passes rebuild graphs) still sort in creation order. */
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_ID = new java.util.concurrent.atomic.AtomicInteger();
    private Provenance prov = Provenance.NONE;
    private int merges;
    private final List<Graph.Update> trainUpdates = new ArrayList<>();

    /**
     * Registers an update that happens in the training step only (batch norm's running statistics,
     * the dropout counter). The frontend collects them into the model.
     */
    public void trainUpdate(Node target, Node value) {
        for (Graph.Update u : trainUpdates)
            if (u.target() == target) throw new ShapeError("state " + target.attrs().s("name") + " is updated twice in one step (is a layer with buffers called twice?)");
        trainUpdates.add(new Graph.Update(target, value));
    }

    public List<Graph.Update> trainUpdates() { return List.copyOf(trainUpdates); }

    private int streams;

    /** A new stream id for a random-number call site. */
    public int nextStream() { return streams++; }

    /** The model's random seed (state {@code rng.seed}, set from the seed of {@code initialize}). */
    public Node rngSeed() {
        return node(Ops.STATE, leaf("rng.seed", TensorType.F32_SCALAR).with("initial", 0.0).with("seeded", true));
    }

    /** The training step counter of random numbers (state {@code rng.counter}, incremented by each step). */
    public Node rngCounter() {
        Node c = state("rng.counter", TensorType.F32_SCALAR, 0);
        boolean registered = false;
        for (Graph.Update u : trainUpdates) registered |= u.target() == c;
        if (!registered) trainUpdates.add(new Graph.Update(c, add(c, one())));
        return c;
    }

    /** Sets the provenance given to nodes created from now on; returns the previous one. */
    public Provenance at(Provenance p) {
        Provenance old = prov;
        prov = p;
        return old;
    }

    public Provenance provenance() { return prov; }

    /** Whether this builder created {@code n} (loop bodies tell their own nodes from captured ones this way). */
    public boolean created(Node n) { return created.contains(n); }

    /** How many node requests returned an existing node (a measure of CSE work). */
    public int merges() { return merges; }

    /** Creates (or finds) the node {@code op(inputs) attrs}, inferring its type. */
    public Node node(Op op, List<Node> inputs, Attrs attrs) {
        List<Integer> ids = new ArrayList<>(inputs.size());
        List<TensorType> types = new ArrayList<>(inputs.size());
        for (Node n : inputs) {
            ids.add(n.id());
            types.add(n.type());
        }
        Key key = new Key(op, ids, attrs);
        Node hit = interned.get(key);
        if (hit != null) {
            merges++;
            hit.mergeProvenance(prov);
            return hit;
        }
        TensorType t = op.inferType(types, attrs);
        Node n = new Node(NEXT_ID.getAndIncrement(), op, inputs, attrs, t, prov);
        interned.put(key, n);
        created.add(n);
        return n;
    }

    public Node node(Op op, Attrs attrs, Node... inputs) { return node(op, List.of(inputs), attrs); }
    public Node node(Op op, Node... inputs) { return node(op, List.of(inputs), Attrs.NONE); }

    // ---- leaves ----------------------------------------------------------------------------

    private static Attrs leaf(String name, TensorType t) {
        return Attrs.of("name", name, "dtype", t.dtype().name(), "shape", t.shape().dims());
    }

    public Node input(String name, TensorType t, String role) { return node(Ops.INPUT, leaf(name, t).with("role", role)); }
    public Node param(String name, TensorType t, Attrs init) {
        Attrs a = leaf(name, t);
        for (var e : init.map().entrySet()) a = a.with("init." + e.getKey(), e.getValue());
        return node(Ops.PARAM, a);
    }
    public Node state(String name, TensorType t, double initial) { return node(Ops.STATE, leaf(name, t).with("initial", initial)); }
    public Node constant(double v) { return node(Ops.CONST, Attrs.of("value", v)); }
    public Node constTensor(Shape s, double[] values) { return node(Ops.CONST, Attrs.of("shape", s.dims(), "values", values)); }
    public Node zero() { return constant(0); }
    public Node one() { return constant(1); }
    public Node batchSize() { return node(Ops.BATCH_SIZE, Attrs.NONE); }

    /** The number of elements of {@code s} as a graph value (involves the batch size when {@code s} does). */
    public Node count(Shape s) {
        Lin n = s.numel();
        if (n.isConstant()) return constant(n.constant());
        Node b = batchSize();
        return n.perBatch() == 1 ? b : mul(b, constant(n.perBatch()));
    }

    // ---- elementwise -----------------------------------------------------------------------

    public Node add(Node a, Node b) { return node(Ops.ADD, a, b); }
    public Node sub(Node a, Node b) { return node(Ops.SUB, a, b); }
    public Node mul(Node a, Node b) { return node(Ops.MUL, a, b); }
    public Node div(Node a, Node b) { return node(Ops.DIV, a, b); }
    public Node neg(Node a) { return node(Ops.NEG, a); }
    public Node abs(Node a) { return node(Ops.ABS, a); }
    public Node exp(Node a) { return node(Ops.EXP, a); }
    public Node log(Node a) { return node(Ops.LOG, a); }
    public Node tanh(Node a) { return node(Ops.TANH, a); }
    public Node sigmoid(Node a) { return node(Ops.SIGMOID, a); }
    public Node sqrt(Node a) { return node(Ops.SQRT, a); }
    public Node pow(Node a, double e) { return node(Ops.POW, Attrs.of("exponent", e), a); }
    public Node maximum(Node a, Node b) { return node(Ops.MAXIMUM, a, b); }
    public Node minimum(Node a, Node b) { return node(Ops.MINIMUM, a, b); }
    public Node gt(Node a, Node b) { return node(Ops.GT, a, b); }
    public Node ge(Node a, Node b) { return node(Ops.GE, a, b); }
    public Node lt(Node a, Node b) { return node(Ops.LT, a, b); }
    public Node le(Node a, Node b) { return node(Ops.LE, a, b); }
    public Node eq(Node a, Node b) { return node(Ops.EQ, a, b); }
    public Node where(Node c, Node a, Node b) { return node(Ops.WHERE, c, a, b); }
    /** {@code f32(a)}: bool as 0/1, i32 as its value, f32 unchanged. */
    public Node toF32(Node a) { return a.dtype() == DType.F32 ? a : node(a.dtype() == DType.I32 ? Ops.I32_TO_F32 : Ops.CAST, a); }
    /** {@code i32(a)}: f32 truncated toward zero, bool as 0/1, i32 unchanged. */
    public Node toI32(Node a) { return a.dtype() == DType.I32 ? a : node(Ops.F32_TO_I32, toF32(a)); }
    public Node stopGradient(Node a) { return node(Ops.STOP_GRADIENT, a); }
    public Node mul(Node a, double c) { return mul(a, constant(c)); }

    public Node broadcastTo(Node a, Shape s) {
        if (a.shape().equals(s)) return a;
        return node(Ops.BROADCAST_TO, Attrs.of("shape", s.dims()), a);
    }

    // ---- reductions ------------------------------------------------------------------------

    public Node sum(Node x, int[] axes, boolean keepdims) { return reduce(Ops.SUM, x, axes, keepdims); }
    public Node max(Node x, int[] axes, boolean keepdims) { return reduce(Ops.MAX, x, axes, keepdims); }

    /** Sum over every axis, to a scalar. */
    public Node sumAll(Node x) { return sum(x, allAxes(x.shape().rank()), false); }

    public static int[] allAxes(int rank) {
        int[] a = new int[rank];
        for (int i = 0; i < rank; i++) a[i] = i;
        return a;
    }

    /**
     * A reduction over {@code axes} (any order, negative allowed). Runs of adjacent axes become one
     * reduction each (last run first, keeping dims), so every emitted reduction is of the form
     * {@code [outer, reduced, inner]}; a final reshape drops the kept dims when {@code !keepdims}.
     */
    public Node reduce(Op op, Node x, int[] axes, boolean keepdims) {
        Shape s = x.shape();
        boolean[] red = new boolean[s.rank()];
        for (int a : axes) {
            int n = s.axis(a);
            if (n < 0) throw new ShapeError(op.name() + ": axis " + a + " is out of range for a value of shape " + s);
            red[n] = true;
        }
        List<int[]> runs = new ArrayList<>();
        for (int i = 0; i < red.length; i++) {
            if (!red[i]) continue;
            int j = i;
            while (j + 1 < red.length && red[j + 1]) j++;
            int[] run = new int[j - i + 1];
            for (int k = i; k <= j; k++) run[k - i] = k;
            runs.add(run);
            i = j;
        }
        if (runs.isEmpty()) return x;
        if (runs.size() == 1) return node(op, Attrs.of("axes", runs.get(0), "keepdims", keepdims), x);
        Node cur = x;
        for (int r = runs.size() - 1; r >= 0; r--) cur = node(op, Attrs.of("axes", runs.get(r), "keepdims", true), cur);
        if (keepdims) return cur;
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < red.length; i++) if (!red[i]) kept.add(s.dim(i));
        return reshape(cur, new Shape(kept.stream().mapToInt(Integer::intValue).toArray()));
    }

    // ---- movement and contraction ----------------------------------------------------------

    public Node reshape(Node x, Shape s) {
        if (x.shape().equals(s)) return x;
        if (x.is(Ops.RESHAPE)) x = x.in(0);      // reshape(reshape x) -> reshape x
        if (x.shape().equals(s)) return x;
        return node(Ops.RESHAPE, Attrs.of("shape", s.dims()), x);
    }

    public Node transpose(Node x, int[] perm) {
        boolean identity = true;
        for (int i = 0; i < perm.length; i++) identity &= perm[i] == i;
        if (identity) return x;
        return node(Ops.TRANSPOSE, Attrs.of("perm", perm), x);
    }

    /** {@code op(a) @ op(b)}: batched ({@code bmm}) when both have rank 3 or more, else a product of matrices. */
    public Node matmul(Node a, Node b, boolean transA, boolean transB) {
        Op op = a.shape().rank() >= 3 && b.shape().rank() >= 3 ? Ops.BMM : Ops.MATMUL;
        return node(op, Attrs.of("transA", transA, "transB", transB), a, b);
    }

    /** A product of matrices (operands flattened to 2-D), never batched: what MatMul's gradient needs. */
    public Node matmul2d(Node a, Node b, boolean transA, boolean transB) {
        return node(Ops.MATMUL, Attrs.of("transA", transA, "transB", transB), a, b);
    }

    public Node oneHot(Node labels, int depth) { return node(Ops.ONE_HOT, Attrs.of("depth", depth), labels); }

    /** Sums {@code g} down to {@code target}'s shape (the gradient of numpy broadcasting). */
    public Node unbroadcast(Node g, Shape target) {
        Shape s = g.shape();
        if (s.equals(target)) return g;
        int lead = s.rank() - target.rank();
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++) {
            if (i < lead) axes.add(i);
            else if (target.dim(i - lead) == 1 && s.dim(i) != 1) axes.add(i);
        }
        Node r = sum(g, axes.stream().mapToInt(Integer::intValue).toArray(), true);
        return reshape(r, target);
    }
}
