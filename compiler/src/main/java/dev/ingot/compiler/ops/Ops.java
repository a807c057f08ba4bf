package dev.ingot.compiler.ops;

import static dev.ingot.compiler.ops.Builtin.Kind.BOOL;
import static dev.ingot.compiler.ops.Builtin.Kind.INT;
import static dev.ingot.compiler.ops.Builtin.Kind.INTS;
import static dev.ingot.compiler.ops.Builtin.Kind.NUMBER;
import static dev.ingot.compiler.ops.Builtin.Kind.SHAPE;
import static dev.ingot.compiler.ops.Builtin.Kind.TENSOR;
import static dev.ingot.compiler.ops.Builtin.NONE;
import static dev.ingot.compiler.ops.Builtin.param;
import static dev.ingot.compiler.ops.Builtin.tensor;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.composite.Composites;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The catalog: every primitive op (what the IR, the interpreter, the generic tests and the IR
 * parser iterate over) and every function the DSL can call. One line per op.
 */
public final class Ops {
    private Ops() {}

    private static final Map<String, Op> OPS = new LinkedHashMap<>();
    private static final Map<String, Builtin> FUNCTIONS = new LinkedHashMap<>();

    private static <T extends Op> T register(T op) {
        if (OPS.put(op.name(), op) != null) throw new IllegalStateException("duplicate op " + op.name());
        return op;
    }

    // ---- leaves ----
    public static final Leaves.Input INPUT = register(new Leaves.Input());
    public static final Leaves.Param PARAM = register(new Leaves.Param());
    public static final Leaves.State STATE = register(new Leaves.State());
    public static final Leaves.Const CONST = register(new Leaves.Const());
    public static final Leaves.BatchSize BATCH_SIZE = register(new Leaves.BatchSize());

    // ---- elementwise ----
    public static final Abs ABS = register(new Abs());
    public static final Add ADD = register(new Add());
    public static final BroadcastTo BROADCAST_TO = register(new BroadcastTo());
    public static final Cast CAST = register(new Cast());
    public static final Cos COS = register(new Cos());
    public static final Div DIV = register(new Div());
    public static final Compare EQ = register(new Compare("eq", "==", "EQ"));
    public static final Erf ERF = register(new Erf());
    public static final Exp EXP = register(new Exp());
    public static final Grad GRAD = register(new Grad());
    public static final Compare GE = register(new Compare("ge", ">=", "GE"));
    public static final Compare GT = register(new Compare("gt", ">", "GT"));
    public static final Compare LE = register(new Compare("le", "<=", "LE"));
    public static final Log LOG = register(new Log());
    public static final Compare LT = register(new Compare("lt", "<", "LT"));
    public static final Maximum MAXIMUM = register(new Maximum());
    public static final Minimum MINIMUM = register(new Minimum());
    public static final Mul MUL = register(new Mul());
    public static final Compare NE = register(new Compare("ne", "!=", "NE"));
    public static final Neg NEG = register(new Neg());
    public static final Phase PHASE = register(new Phase());
    public static final Pow POW = register(new Pow());
    public static final RandomUniform RANDOM_UNIFORM = register(new RandomUniform());
    public static final Sigmoid SIGMOID = register(new Sigmoid());
    public static final Sign SIGN = register(new Sign());
    public static final Sin SIN = register(new Sin());
    public static final Sqrt SQRT = register(new Sqrt());
    public static final StopGradient STOP_GRADIENT = register(new StopGradient());
    public static final Sub SUB = register(new Sub());
    public static final Tanh TANH = register(new Tanh());
    public static final Where WHERE = register(new Where());

    // ---- reductions ----
    public static final ReduceMax MAX = register(new ReduceMax());
    public static final ReduceSum SUM = register(new ReduceSum());

    // ---- library calls and movement ----
    public static final ArgMax ARGMAX = register(new ArgMax());
    public static final Attention ATTENTION = register(new Attention());
    public static final AttentionGrad ATTENTION_GRAD = register(new AttentionGrad());
    public static final Pooling AVG_POOL2D = register(new Pooling("avg_pool2d", false, false));
    public static final BatchMatMul BMM = register(new BatchMatMul());
    public static final Pooling AVG_POOL2D_GRAD = register(new Pooling("avg_pool2d_grad", false, true));
    public static final Concat CONCAT = register(new Concat());
    public static final Conv2d CONV2D = register(new Conv2d());
    public static final Conv2dGradInput CONV2D_GRAD_INPUT = register(new Conv2dGradInput());
    public static final Conv2dGradWeight CONV2D_GRAD_WEIGHT = register(new Conv2dGradWeight());
    public static final Gather GATHER = register(new Gather());
    public static final MatMul MATMUL = register(new MatMul());
    public static final Pooling MAX_POOL2D = register(new Pooling("max_pool2d", true, false));
    public static final Pooling MAX_POOL2D_GRAD = register(new Pooling("max_pool2d_grad", true, true));
    public static final OneHot ONE_HOT = register(new OneHot());
    public static final Pad PAD = register(new Pad());
    public static final Reshape RESHAPE = register(new Reshape());
    public static final ScatterAdd SCATTER_ADD = register(new ScatterAdd());
    public static final Slice SLICE = register(new Slice());
    public static final ToF32 I32_TO_F32 = register(new ToF32());
    public static final ToI32 F32_TO_I32 = register(new ToI32());

    // ---- control flow ----
    public static final Scan SCAN = register(new Scan());
    public static final ScanOut SCAN_OUT = register(new ScanOut());
    public static final Transpose TRANSPOSE = register(new Transpose());

    /** Every primitive, in registration order. */
    public static List<Op> all() { return Collections.unmodifiableList(new ArrayList<>(OPS.values())); }

    public static Op byName(String name) { return OPS.get(name); }

    // ---- DSL functions: primitives exposed by name, then the composites ----

    private static void fn(String name, Builtin.Signature sig, BiFunction<GraphBuilder, Builtin.Args, Node> body) {
        FUNCTIONS.put(name, new Builtin() {
            public String name() { return name; }
            public Signature signature() { return sig; }
            public Node call(GraphBuilder b, Args a) { return body.apply(b, a); }
        });
    }

    private static void unary(Op op) { fn(op.name(), Builtin.Signature.of(tensor("x")), (b, a) -> b.node(op, a.tensor("x"))); }

    private static void binary(Op op) { fn(op.name(), Builtin.Signature.of(tensor("a"), tensor("b")), (b, a) -> b.node(op, a.tensor("a"), a.tensor("b"))); }

    private static Builtin.Signature reduceSig() { return Builtin.Signature.of(tensor("x"), param("axis", INTS, NONE), param("keepdims", BOOL, false)); }

    private static int[] axes(Builtin.Args a) { return a.has("axis") ? a.ints("axis") : GraphBuilder.allAxes(a.tensor("x").shape().rank()); }

    static {
        for (Op op : List.of(ABS, COS, ERF, EXP, LOG, SIGMOID, SIGN, SIN, SQRT, STOP_GRADIENT, TANH)) unary(op);
        fn("f32", Builtin.Signature.of(tensor("x")), (b, a) -> b.toF32(a.tensor("x")));
        fn("i32", Builtin.Signature.of(tensor("x")), (b, a) -> b.toI32(a.tensor("x")));
        for (Op op : List.of(MAXIMUM, MINIMUM)) binary(op);
        fn("where", Builtin.Signature.of(tensor("condition"), tensor("a"), tensor("b")), (b, a) -> b.where(a.tensor("condition"), a.tensor("a"), a.tensor("b")));
        fn("pow", Builtin.Signature.of(tensor("x"), param("exponent", NUMBER, null)), (b, a) -> b.pow(a.tensor("x"), a.d("exponent")));
        fn("sum", reduceSig(), (b, a) -> b.sum(a.tensor("x"), axes(a), a.b("keepdims")));
        fn("max", reduceSig(), (b, a) -> b.max(a.tensor("x"), axes(a), a.b("keepdims")));
        fn("matmul", Builtin.Signature.of(tensor("a"), tensor("b"), param("transpose_a", BOOL, false), param("transpose_b", BOOL, false)),
                (b, a) -> b.matmul(a.tensor("a"), a.tensor("b"), a.b("transpose_a"), a.b("transpose_b")));
        fn("attention", Builtin.Signature.of(tensor("q"), tensor("k"), tensor("v"), param("heads", INT, 1), param("mask", TENSOR, NONE),
                param("scale", NUMBER, NONE), param("causal", BOOL, false)), (b, a) -> {
            Node q = a.tensor("q");
            int heads = a.i("heads");
            double scale = a.has("scale") ? a.d("scale") : 1 / Math.sqrt((double) q.shape().dim(-1) / Math.max(1, heads));
            Attrs at = Attrs.of("heads", heads, "scale", scale, "causal", a.b("causal"));
            return a.has("mask") ? b.node(ATTENTION, at, q, a.tensor("k"), a.tensor("v"), a.tensor("mask")) : b.node(ATTENTION, at, q, a.tensor("k"), a.tensor("v"));
        });
        fn("argmax", Builtin.Signature.of(tensor("x")), (b, a) -> b.node(ARGMAX, a.tensor("x")));
        fn("gather", Builtin.Signature.of(tensor("table"), tensor("indices")), (b, a) -> b.node(GATHER, a.tensor("table"), a.tensor("indices")));
        fn("one_hot", Builtin.Signature.of(tensor("labels"), param("depth", INT, null)), (b, a) -> b.oneHot(a.tensor("labels"), a.i("depth")));
        fn("reshape", Builtin.Signature.of(tensor("x"), param("shape", SHAPE, null)), (b, a) -> b.reshape(a.tensor("x"), new Shape(inferReshape(a.tensor("x").shape(), a.shape("shape")))));
        fn("broadcast_to", Builtin.Signature.of(tensor("x"), param("shape", SHAPE, null)), (b, a) -> b.broadcastTo(a.tensor("x"), new Shape(a.shape("shape"))));
        fn("transpose", Builtin.Signature.of(tensor("x"), param("perm", INTS, NONE)), (b, a) -> {
            int r = a.tensor("x").shape().rank();
            int[] perm = a.has("perm") ? a.ints("perm") : new int[r];
            if (!a.has("perm")) for (int i = 0; i < r; i++) perm[i] = r - 1 - i;
            return b.transpose(a.tensor("x"), perm);
        });
        Composites.register(FUNCTIONS);
    }

    /** All DSL-callable functions by name. */
    public static Map<String, Builtin> functions() { return Collections.unmodifiableMap(FUNCTIONS); }

    /** Marker for a {@code -1} ("the rest") in a DSL shape; {@code batch} is {@code -1}. */
    public static final int INFER = Integer.MIN_VALUE;

    /** Resolves one {@link #INFER} dimension in a reshape target, as numpy does. */
    static int[] inferReshape(Shape from, int[] to) {
        int unknown = -1;
        Lin known = Lin.ONE;
        for (int i = 0; i < to.length; i++) {
            if (to[i] == INFER) {
                if (unknown >= 0) throw new ShapeError("reshape: only one dimension may be -1");
                unknown = i;
            } else if (to[i] == 0) {
                throw new ShapeError("reshape: dimension " + i + " is 0");
            } else {
                known = known.times(to[i] < 0 ? Lin.batch(-to[i]) : Lin.of(to[i]));
            }
        }
        if (unknown < 0) return to;
        Lin total = from.numel();
        long num = total.isConstant() ? total.constant() : total.perBatch();
        long den = known.isConstant() ? known.constant() : known.perBatch();
        if ((total.isConstant() && !known.isConstant()) || num % den != 0)
            throw new ShapeError("reshape: cannot reshape " + from + " (" + total + " elements) into a shape with " + known + " elements and one -1");
        int[] r = to.clone();
        long d = num / den;
        r[unknown] = (int) (!total.isConstant() && known.isConstant() ? -d : d);
        return r;
    }

    /** Attrs helper for tests and passes. */
    public static Attrs axes(int... axes) { return Attrs.of("axes", axes, "keepdims", false); }
}
