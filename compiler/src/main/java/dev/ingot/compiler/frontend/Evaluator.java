package dev.ingot.compiler.frontend;

import dev.ingot.compiler.diag.CompileError;
import dev.ingot.compiler.frontend.Value.BoolV;
import dev.ingot.compiler.frontend.Value.BuiltinV;
import dev.ingot.compiler.frontend.Value.DimV;
import dev.ingot.compiler.frontend.Value.FnV;
import dev.ingot.compiler.frontend.Value.InitV;
import dev.ingot.compiler.frontend.Value.LayerDefV;
import dev.ingot.compiler.frontend.Value.LayerV;
import dev.ingot.compiler.frontend.Value.ListV;
import dev.ingot.compiler.frontend.Value.NumV;
import dev.ingot.compiler.frontend.Value.StrV;
import dev.ingot.compiler.frontend.Value.TensorV;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Provenance;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.SourceLoc;
import dev.ingot.compiler.ir.TensorType;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ShapeError;
import dev.ingot.grammar.IngotParser;
import dev.ingot.grammar.IngotParser.ArgContext;
import dev.ingot.grammar.IngotParser.ExprContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.antlr.v4.runtime.ParserRuleContext;

/**
 * Evaluates DSL expressions, function calls and layer instantiations into graph nodes (staging).
 *
 * <p>Locations: every node gets the provenance of the innermost expression of a <em>user</em> file
 * being evaluated. Code from the bundled standard library (e.g. {@code dense}) is attributed to the
 * user's call site, and errors inside it are reported there, prefixed with the library function.
 */
public final class Evaluator {
    private static final int MAX_DEPTH = 64;

    /** The builder nodes go to; swapped while a loop body is traced. */
    GraphBuilder b;
    /** Where layer applications are recorded for {@code ingot summary} (null: not recorded). */
    java.util.List<LayerCall> layerCalls;

    /** One application of a layer: its path ({@code conv1}, {@code blocks.0}), its definition's name and its output. */
    public record LayerCall(String path, String kind, Node output) {}
    private SourceLoc site = SourceLoc.NONE;
    private final List<String> libraryFrames = new ArrayList<>();
    private final Map<String, Integer> autoNames = new HashMap<>();
    private final List<Node> params = new ArrayList<>();
    private final List<Node> buffers = new ArrayList<>();
    private final Map<String, SourceLoc> paramLocs = new LinkedHashMap<>();
    private String pendingLayerName;
    private int depth;

    private final GraphBuilder root;

    public Evaluator(GraphBuilder b) {
        this.b = b;
        this.root = b;
    }

    /** The model's builder (scan bodies are traced in builders of their own). */
    GraphBuilder rootBuilder() { return root; }

    /** Parameters created so far, in creation order. */
    public List<Node> params() { return params; }

    /** Buffers (non-trainable state) created so far. */
    public List<Node> buffers() { return buffers; }

    // ---- locations and errors ----------------------------------------------------------------

    /** Moves the current site to {@code ctx} when it is in a user file; returns the previous site. */
    SourceLoc enter(ParserRuleContext ctx, SourceFile f) {
        SourceLoc old = site;
        if (f.user()) {
            site = f.loc(ctx);
            b.at(Provenance.at(site));
        }
        return old;
    }

    void leave(SourceLoc old) {
        site = old;
        b.at(Provenance.at(old));
    }

    public SourceLoc site() { return site; }

    CompileError error(ParserRuleContext ctx, SourceFile f, String msg, String expected) {
        if (f.user()) return new CompileError(f.loc(ctx), msg, expected);
        String in = libraryFrames.isEmpty() ? "" : "in " + libraryFrames.get(libraryFrames.size() - 1) + ": ";
        return new CompileError(site, in + msg, expected);
    }

    CompileError error(ParserRuleContext ctx, SourceFile f, String msg) { return error(ctx, f, msg, null); }

    // ---- expressions --------------------------------------------------------------------------

    public Value eval(ExprContext e, Scope s, SourceFile f) {
        SourceLoc old = enter(e, f);
        try {
            return evalInner(e, s, f);
        } catch (ShapeError | IllegalArgumentException | ArithmeticException se) {
            // NOTE: a shape the IR rejects (a size of 0, too many elements) or an int overflow, at the innermost expression
            throw error(e, f, se.getMessage());
        } finally {
            leave(old);
        }
    }

    private Value evalInner(ExprContext e, Scope s, SourceFile f) {
        if (e instanceof IngotParser.NumberExprContext n) return number(n, f);
        if (e instanceof IngotParser.StringExprContext str) {
            String t = str.getText();
            return new StrV(t.substring(1, t.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        if (e instanceof IngotParser.ParenExprContext p) return eval(p.expr(), s, f);
        if (e instanceof IngotParser.RefExprContext r) return lookup(r.ID().getText(), s, r, f);
        if (e instanceof IngotParser.ListExprContext l) {
            List<Value> items = new ArrayList<>();
            for (ExprContext x : l.expr()) items.add(eval(x, s, f));
            return new ListV(items);
        }
        if (e instanceof IngotParser.NegExprContext n) {
            Value v = eval(n.expr(), s, f);
            if (v instanceof NumV num) return new NumV(-num.v(), num.isInt());
            return new TensorV(b.neg(tensor(v, n.expr(), f, "the operand of '-'")));
        }
        if (e instanceof IngotParser.PowExprContext p) {
            Value base = eval(p.expr(0), s, f), ex = eval(p.expr(1), s, f);
            if (!(ex instanceof NumV exp)) throw error(p.expr(1), f, "the exponent of '**' must be a number, got " + ex.describe());
            if (base instanceof NumV bn) return NumV.of(Math.pow(bn.v(), exp.v()));
            return new TensorV(b.pow(tensor(base, p.expr(0), f, "the base of '**'"), exp.v()));
        }
        if (e instanceof IngotParser.MulExprContext m) return binary(m.op.getText(), m.expr(0), m.expr(1), s, f);
        if (e instanceof IngotParser.AddExprContext a) return binary(a.op.getText(), a.expr(0), a.expr(1), s, f);
        if (e instanceof IngotParser.CmpExprContext c) return binary(c.op.getText(), c.expr(0), c.expr(1), s, f);
        if (e instanceof IngotParser.PipeExprContext p) {
            Value arg = eval(p.expr(0), s, f);
            if (p.expr(1) instanceof IngotParser.CallExprContext c) {
                // a |> f(b, c) is f(a, b, c); a |> dense(784, 10) instantiates the layer, then applies it
                Value callee = eval(c.callee, s, f);
                if (!(callee instanceof LayerDefV)) return call(c, callee, List.of(arg), s, f);
                return apply(call(c, callee, List.of(), s, f), List.of(arg), Map.of(), c, p, f);
            }
            Value fn = eval(p.expr(1), s, f);
            return apply(fn, List.of(arg), Map.of(), p.expr(1), p, f);
        }
        if (e instanceof IngotParser.IndexExprContext ix) return Indexing.index(this, eval(ix.expr(), s, f), ix, s, f);
        if (e instanceof IngotParser.IfExprContext ie) {
            Value c = eval(ie.cond, s, f);
            if (!(c instanceof BoolV bv)) throw error(ie.cond, f, "the condition of 'if' must be true or false (known when compiling), got " + c.describe());
            return eval(bv.v() ? ie.a : ie.b, s, f);
        }
        if (e instanceof IngotParser.MemberExprContext m) {
            Value obj = eval(m.expr(), s, f);
            String name = m.name.getText();
            if (obj instanceof LayerV l) {
                Value v = l.scope().local(name);
                if (v == null) throw error(m, f, "layer " + l.path() + " has no member '" + name + "'" + Suggest.hint(name, l.scope().locals().keySet()));
                return v;
            }
            throw error(m, f, "'." + name + "' needs a layer on its left, got " + obj.describe());
        }
        if (e instanceof IngotParser.CallExprContext c) return call(c, s, f);
        throw error(e, f, "unsupported expression");
    }

    private Value number(IngotParser.NumberExprContext n, SourceFile f) {
        String t = n.getText().replace("_", "");
        if (n.INT() != null) {
            try {
                return new NumV(Long.parseLong(t), true);
            } catch (NumberFormatException ex) {
                throw error(n, f, "integer " + t + " is too large");
            }
        }
        double v = Double.parseDouble(t);
        if (Math.abs(v) > Float.MAX_VALUE) throw error(n, f, "number " + t + " is beyond the range of float32 (about 3.4e38)");
        return new NumV(v, false);
    }

    Value lookup(String name, Scope s, ParserRuleContext ctx, SourceFile f) {
        Value v = s.lookup(name);
        if (v == null) throw error(ctx, f, "unknown name '" + name + "'" + Suggest.hint(name, s.names()));
        return v;
    }

    private Value binary(String op, ExprContext l, ExprContext r, Scope s, SourceFile f) {
        Value a = eval(l, s, f), c = eval(r, s, f);
        if (a instanceof NumV x && c instanceof NumV y) return numeric(op, x, y, r, f);
        if ((op.equals("==") || op.equals("!=")) && ((!(a instanceof TensorV) && !(c instanceof TensorV)) || a instanceof Value.NoneV || c instanceof Value.NoneV)) {
            boolean eq = a.equals(c);
            return new BoolV(op.equals("==") == eq);
        }
        Node x = tensor(a, l, f, "the left operand of '" + op + "'"), y = tensor(c, r, f, "the right operand of '" + op + "'");
        // the rule for mixed arithmetic: operators compute in f32, so an i32 operand is converted first
        if (x.dtype() == DType.I32) x = b.toF32(x);
        if (y.dtype() == DType.I32) y = b.toF32(y);
        return new TensorV(switch (op) {
            case "+" -> b.add(x, y);
            case "-" -> b.sub(x, y);
            case "*" -> b.mul(x, y);
            case "/" -> b.div(x, y);
            case "@" -> b.matmul(x, y, false, false);
            case "<" -> b.lt(x, y);
            case "<=" -> b.le(x, y);
            case ">" -> b.gt(x, y);
            case ">=" -> b.ge(x, y);
            case "==" -> b.eq(x, y);
            case "!=" -> b.node(Ops.NE, x, y);
            default -> throw error(l, f, "unknown operator " + op);
        });
    }

    private Value numeric(String op, NumV x, NumV y, ParserRuleContext r, SourceFile f) {
        boolean ints = x.isInt() && y.isInt();
        double a = x.v(), c = y.v();
        return switch (op) {
            case "+" -> new NumV(a + c, ints);
            case "-" -> new NumV(a - c, ints);
            case "*" -> new NumV(a * c, ints);
            case "/" -> {
                if (c == 0) throw error(r, f, "division by zero");
                yield new NumV(a / c, ints && a % c == 0);
            }
            case "<" -> new BoolV(a < c);
            case "<=" -> new BoolV(a <= c);
            case ">" -> new BoolV(a > c);
            case ">=" -> new BoolV(a >= c);
            case "==" -> new BoolV(a == c);
            case "!=" -> new BoolV(a != c);
            default -> throw error(r, f, "'" + op + "' needs tensors, got two numbers");
        };
    }

    /** The value as a graph node: tensors as they are, numbers as scalar constants. */
    Node tensor(Value v, ParserRuleContext ctx, SourceFile f, String what) {
        if (v instanceof TensorV t) return t.node();
        if (v instanceof NumV n) return b.constant(n.v());
        throw error(ctx, f, what + " must be a tensor or a number, got " + v.describe());
    }

    // ---- calls --------------------------------------------------------------------------------

    private Value call(IngotParser.CallExprContext c, Scope s, SourceFile f) { return call(c, eval(c.callee, s, f), List.of(), s, f); }

    /** Calls {@code fn} with {@code first} before the call's own arguments. */
    private Value call(IngotParser.CallExprContext c, Value fn, List<Value> first, Scope s, SourceFile f) {
        // layer X = sequential(a(...), b(...)) names its layers X.0, X.1
        if (fn instanceof Value.MetaFnV mf && mf.name().equals("sequential") && pendingLayerName != null) {
            String prefix = pendingLayerName;
            pendingLayerName = null;
            namePrefixes.push(new Object[] {prefix, 0});
            try {
                Value v = callArgs(c, fn, first, s, f);
                return v instanceof Value.StackV st ? new Value.StackV(prefix, st.layers(), st.mode()) : v;
            } finally {
                namePrefixes.pop();
            }
        }
        return callArgs(c, fn, first, s, f);
    }

    private final java.util.ArrayDeque<Object[]> namePrefixes = new java.util.ArrayDeque<>();

    private Value callArgs(IngotParser.CallExprContext c, Value fn, List<Value> first, Scope s, SourceFile f) {
        List<Value> pos = new ArrayList<>(first);
        Map<String, Value> named = new LinkedHashMap<>();
        Map<String, ArgContext> namedCtx = new HashMap<>();
        if (c.argList() != null) {
            for (ArgContext a : c.argList().arg()) {
                Value v = eval(a.expr(), s, f);
                if (a.name == null) {
                    if (!named.isEmpty()) throw error(a, f, "a positional argument cannot follow a named one");
                    pos.add(v);
                } else {
                    String n = a.name.getText();
                    if (named.put(n, v) != null) throw error(a, f, "argument '" + n + "' is given twice");
                    namedCtx.put(n, a);
                }
            }
        }
        return apply(fn, pos, named, c.callee, c, f, namedCtx);
    }

    Value apply(Value fn, List<Value> pos, Map<String, Value> named, ParserRuleContext calleeCtx, ParserRuleContext callCtx, SourceFile f) {
        return apply(fn, pos, named, calleeCtx, callCtx, f, Map.of());
    }

    private Value apply(Value fn, List<Value> pos, Map<String, Value> named, ParserRuleContext calleeCtx, ParserRuleContext callCtx,
                        SourceFile f, Map<String, ArgContext> namedCtx) {
        if (++depth > MAX_DEPTH) throw error(callCtx, f, "calls nested more than " + MAX_DEPTH + " deep (recursion?)");
        try {
            if (fn instanceof BuiltinV bv) return new TensorV(callBuiltin(bv.fn(), pos, named, callCtx, f, namedCtx));
            if (fn instanceof FnV u) return callFn(u, pos, named, callCtx, f);
            if (fn instanceof LayerDefV d) return Layers.instantiate(this, d, takeLayerName(d.name()), pos, named, callCtx, f);
            if (fn instanceof LayerV l) return Layers.forward(this, l, pos, named, callCtx, f);
            if (fn instanceof InitV i) return Inits.configure(this, i, pos, named, callCtx, f);
            if (fn instanceof Value.MetaFnV mf) return MetaFunctions.call(this, mf.name(), pos, named, callCtx, f);
            if (fn instanceof Value.StackV st) return MetaFunctions.applyStack(this, st, pos, named, callCtx, f);
            throw error(calleeCtx, f, fn.describe() + " is not callable");
        } finally {
            depth--;
        }
    }

    String takeLayerName(String def) {
        String n = pendingLayerName;
        pendingLayerName = null;
        if (n != null) return n;
        if (!namePrefixes.isEmpty()) {
            Object[] p = namePrefixes.peek();
            int i = (Integer) p[1];
            p[1] = i + 1;
            return p[0] + "." + i;
        }
        int k = autoNames.merge(def, 1, Integer::sum);
        return def + "_" + k;
    }

    void pushFrame(String fn) { libraryFrames.add(fn); }
    void popFrame() { libraryFrames.remove(libraryFrames.size() - 1); }

    /** The global scope of a file (builtins, standard library, the file's functions and layers). */
    final Map<SourceFile, Scope> globals = new HashMap<>();

    /** Names the next layer instantiated (the {@code layer NAME = ...} statement). */
    void nameNextLayer(String name) { pendingLayerName = name; }

    /** Binds positional and named arguments to parameter names, checking counts and names. */
    Map<String, Value> bind(String fnName, List<String> paramNames, List<Boolean> required, List<Value> pos, Map<String, Value> named,
                            ParserRuleContext ctx, SourceFile f) {
        if (pos.size() > paramNames.size())
            throw error(ctx, f, fnName + "() takes " + range(required) + " arguments (" + String.join(", ", paramNames) + "), got " + (pos.size() + named.size()));
        Map<String, Value> r = new LinkedHashMap<>();
        for (int i = 0; i < pos.size(); i++) r.put(paramNames.get(i), pos.get(i));
        for (var e : named.entrySet()) {
            if (!paramNames.contains(e.getKey()))
                throw error(ctx, f, fnName + "() has no parameter '" + e.getKey() + "'" + Suggest.hint(e.getKey(), paramNames),
                        fnName + "(" + String.join(", ", paramNames) + ")");
            if (r.put(e.getKey(), e.getValue()) != null) throw error(ctx, f, fnName + "(): argument '" + e.getKey() + "' is given twice");
        }
        for (int i = 0; i < paramNames.size(); i++)
            if (required.get(i) && !r.containsKey(paramNames.get(i)))
                throw error(ctx, f, fnName + "() is missing argument '" + paramNames.get(i) + "'", fnName + "(" + String.join(", ", paramNames) + ")");
        return r;
    }

    private static String range(List<Boolean> required) {
        int min = (int) required.stream().filter(x -> x).count(), max = required.size();
        return min == max ? Integer.toString(max) : min + " to " + max;
    }

    private Node callBuiltin(Builtin fn, List<Value> pos, Map<String, Value> named, ParserRuleContext ctx, SourceFile f, Map<String, ArgContext> namedCtx) {
        List<String> names = new ArrayList<>();
        List<Boolean> req = new ArrayList<>();
        for (Builtin.Param p : fn.signature().params()) {
            names.add(p.name());
            req.add(p.def() == null);
        }
        Map<String, Value> bound = bind(fn.name(), names, req, pos, named, ctx, f);
        Map<String, Object> conv = new HashMap<>();
        for (Builtin.Param p : fn.signature().params()) {
            Value v = bound.get(p.name());
            ParserRuleContext where = namedCtx.getOrDefault(p.name(), null) != null ? namedCtx.get(p.name()) : ctx;
            if (v == null) {
                if (p.def() != Builtin.NONE) conv.put(p.name(), p.def());
                continue;
            }
            conv.put(p.name(), convert(fn.name(), p, v, where, f));
        }
        try {
            return fn.call(b, new MapArgs(conv));
        } catch (ShapeError | IllegalArgumentException | ArithmeticException e) {
            throw error(ctx, f, e.getMessage());
        }
    }

    private Object convert(String fn, Builtin.Param p, Value v, ParserRuleContext ctx, SourceFile f) {
        String what = fn + "(): argument '" + p.name() + "'";
        switch (p.kind()) {
            case TENSOR:
                return tensor(v, ctx, f, what);
            case INT:
                if (v instanceof NumV n && n.isInt()) {
                    if (Math.abs(n.v()) > Integer.MAX_VALUE) throw error(ctx, f, what + " must be an integer up to " + Integer.MAX_VALUE + ", got " + v.describe());
                    return (int) n.v();
                }
                throw error(ctx, f, what + " must be an integer, got " + v.describe());
            case NUMBER:
                if (v instanceof NumV n) return n.v();
                throw error(ctx, f, what + " must be a number, got " + v.describe());
            case BOOL:
                if (v instanceof BoolV bo) return bo.v();
                throw error(ctx, f, what + " must be true or false, got " + v.describe());
            case STRING:
                if (v instanceof StrV st) return st.s();
                throw error(ctx, f, what + " must be a string, got " + v.describe());
            case INTS:
                if (v instanceof NumV n && n.isInt()) return new int[] {(int) n.v()};
                if (v instanceof ListV l) {
                    int[] r = new int[l.items().size()];
                    for (int i = 0; i < r.length; i++) {
                        if (!(l.items().get(i) instanceof NumV n && n.isInt())) throw error(ctx, f, what + " must be a list of integers");
                        r[i] = (int) ((NumV) l.items().get(i)).v();
                    }
                    return r;
                }
                throw error(ctx, f, what + " must be an integer or a list of integers, got " + v.describe());
            case SHAPE:
                if (v instanceof ListV l) return shapeDims(l.items(), ctx, f, what, true);
                throw error(ctx, f, what + " must be a shape like [batch, 784], got " + v.describe());
            case TENSORS:
                if (v instanceof ListV l) {
                    List<Node> ns = new ArrayList<>();
                    for (Value item : l.items()) ns.add(tensor(item, ctx, f, what + " (an element)"));
                    return ns;
                }
                throw error(ctx, f, what + " must be a list of tensors like [a, b], got " + v.describe());
            case INTS_OR_STRING:
                if (v instanceof StrV st) return st.s();
                return convert(fn, new Builtin.Param(p.name(), Builtin.Kind.INTS, p.def()), v, ctx, f);
            default:
                throw new IllegalStateException();
        }
    }

    /** Dims of a shape list: positive integers, {@code batch} (-1), and, if allowed, one -1 for "the rest". */
    int[] shapeDims(List<Value> items, ParserRuleContext ctx, SourceFile f, String what, boolean allowInfer) {
        int[] r = new int[items.size()];
        for (int i = 0; i < r.length; i++) {
            Value d = items.get(i);
            if (d instanceof DimV dv) r[i] = dv.dim();
            else if (d instanceof NumV n && n.isInt() && n.v() > 0 && n.v() <= Integer.MAX_VALUE) r[i] = (int) n.v();
            else if (allowInfer && d instanceof NumV n && n.isInt() && n.v() == -1) r[i] = Ops.INFER;
            else throw error(ctx, f, what + ": dimension " + i + " must be a positive integer or batch, got " + d.describe());
        }
        return r;
    }

    private Value callFn(FnV fn, List<Value> pos, Map<String, Value> named, ParserRuleContext ctx, SourceFile f) {
        IngotParser.FnDefContext d = fn.def();
        Scope scope = new Scope(fn.scope());
        bindParams(fn.name(), d.paramList(), scope, pos, named, ctx, f, fn.src());
        return evalBody(fn.name(), d.body(), scope, fn.src());
    }

    /** Binds a user function's or layer's declared parameters (defaults evaluated in its own file). */
    void bindParams(String fnName, IngotParser.ParamListContext pl, Scope into, List<Value> pos, Map<String, Value> named,
                    ParserRuleContext ctx, SourceFile callerFile, SourceFile defFile) {
        List<String> names = new ArrayList<>();
        List<Boolean> req = new ArrayList<>();
        List<IngotParser.FnParamContext> ps = pl == null ? List.of() : pl.fnParam();
        for (IngotParser.FnParamContext p : ps) {
            names.add(p.name.getText());
            req.add(p.expr() == null);
        }
        Map<String, Value> bound = bind(fnName, names, req, pos, named, ctx, callerFile);
        for (IngotParser.FnParamContext p : ps) {
            String n = p.name.getText();
            Value v = bound.get(n);
            if (v == null) v = eval(p.expr(), into, defFile);
            into.define(n, v, defFile.loc(p));
        }
    }

    /** Evaluates {@code = expr} or {@code { lets; return expr }} in {@code scope}. */
    Value evalBody(String fnName, IngotParser.BodyContext body, Scope scope, SourceFile src) {
        if (!src.user()) libraryFrames.add(fnName);
        try {
            if (body instanceof IngotParser.ExprBodyContext e) return eval(e.expr(), scope, src);
            IngotParser.BlockBodyContext blk = (IngotParser.BlockBodyContext) body;
            for (IngotParser.StmtContext st : blk.stmt()) {
                IngotParser.LetStmtContext let = (IngotParser.LetStmtContext) st;
                Value v = eval(let.expr(), scope, src);
                defineLocal(scope, let.name.getText(), v, let, src);
                if (src.user() && v instanceof TensorV t) t.node().hint(let.name.getText());
            }
            return eval(blk.expr(), scope, src);
        } finally {
            if (!src.user()) libraryFrames.remove(libraryFrames.size() - 1);
        }
    }

    /** Defines a name, refusing to redefine one in the same scope. */
    void defineLocal(Scope scope, String name, Value v, ParserRuleContext ctx, SourceFile f) {
        if (scope.local(name) != null) {
            SourceLoc prev = scope.definedAt(name);
            throw error(ctx, f, "'" + name + "' is already defined" + (prev != null && prev != SourceLoc.NONE ? " at line " + prev.line() : ""));
        }
        scope.define(name, v, f.loc(ctx));
    }

    // ---- types and parameters -----------------------------------------------------------------

    /** {@code f32[batch, 784]}: the dtype (f32 by default) and dims; {@code batch} only where allowed. */
    TensorType tensorType(IngotParser.TensorTypeContext t, Scope s, SourceFile f, boolean allowBatch) {
        DType dt = DType.F32;
        if (t.dtype != null) {
            dt = DType.parse(t.dtype.getText());
            if (dt == null || dt == DType.BOOL)
                throw error(t, f, "unknown element type '" + t.dtype.getText() + "'" + Suggest.hint(t.dtype.getText(), List.of("f32", "i32")), "f32 or i32");
        }
        List<Value> dims = new ArrayList<>();
        for (IngotParser.DimContext d : t.dim()) {
            Value v = eval(d.expr(), s, f);
            if (v instanceof DimV && !allowBatch) throw error(d, f, "parameters cannot have a batch dimension");
            dims.add(v);
        }
        int[] shape = shapeDims(dims, t, f, "shape", false);
        try {
            return new TensorType(dt, new Shape(shape));
        } catch (IllegalArgumentException e) {
            throw error(t, f, e.getMessage().startsWith("more than one batch") ? "a shape may use batch only once" : e.getMessage());
        }
    }

    /** Declares a parameter leaf named {@code prefix + name}. */
    Node declareParam(String fullName, IngotParser.ParamDeclContext p, Scope s, SourceFile f) {
        SourceLoc old = enter(p, f);
        try {
            TensorType t = tensorType(p.tensorType(), s, f, false);
            if (t.dtype() != DType.F32) throw error(p.tensorType(), f, "parameters must be f32, got " + t.dtype().mnemonic());
            InitV init;
            if (p.init == null) init = new InitV(t.rank() >= 2 ? "glorot_uniform" : "zeros", Map.of());
            else {
                Value v = eval(p.init, s, f);
                if (v instanceof InitV iv) init = iv;
                else if (v instanceof NumV n) init = new InitV("constant", Map.of("value", n.v()));
                else throw error(p.init, f, "parameter " + fullName + ": the initializer must be one of " + String.join(", ", Inits.NAMES) + ", got " + v.describe());
            }
            if (paramLocs.containsKey(fullName)) throw error(p, f, "parameter '" + fullName + "' is already defined at line " + paramLocs.get(fullName).line());
            Node n = b.param(fullName, t, Inits.attrs(init));
            paramLocs.put(fullName, site);
            params.add(n);
            return n;
        } finally {
            leave(old);
        }
    }

    /** Declares a buffer (state leaf) named {@code fullName}, initialized to a constant. */
    Node declareBuffer(String fullName, IngotParser.BufferDeclContext p, Scope s, SourceFile f) {
        SourceLoc old = enter(p, f);
        try {
            TensorType t = tensorType(p.tensorType(), s, f, false);
            double initial = 0;
            if (p.init != null) {
                Value v = eval(p.init, s, f);
                if (v instanceof InitV iv && iv.kind().equals("zeros")) initial = 0;
                else if (v instanceof InitV iv && iv.kind().equals("ones")) initial = 1;
                else if (v instanceof InitV iv && iv.kind().equals("constant")) initial = iv.args().get("value");
                else if (v instanceof NumV n) initial = n.v();
                else throw error(p.init, f, "buffer " + fullName + ": the initial value must be zeros, ones or a number, got " + v.describe());
            }
            if (paramLocs.containsKey(fullName)) throw error(p, f, "'" + fullName + "' is already defined at line " + paramLocs.get(fullName).line());
            paramLocs.put(fullName, site);
            Node n = b.state(fullName, t, initial);
            buffers.add(n);
            return n;
        } finally {
            leave(old);
        }
    }

    /** Builtin arguments as converted Java values. */
    private record MapArgs(Map<String, Object> m) implements Builtin.Args {
        public Node tensor(String n) { return (Node) m.get(n); }
        public boolean has(String n) { return m.containsKey(n); }
        public int i(String n) { return ((Number) m.get(n)).intValue(); }
        public int[] ints(String n) { Object v = m.get(n); return v instanceof int[] a ? a : new int[] {((Number) v).intValue()}; }
        public double d(String n) { return ((Number) m.get(n)).doubleValue(); }
        public boolean b(String n) { return (Boolean) m.get(n); }
        public String s(String n) { return (String) m.get(n); }
        public int[] shape(String n) { return (int[]) m.get(n); }
        @SuppressWarnings("unchecked") public List<Node> tensors(String n) { return (List<Node>) m.get(n); }
        public Object raw(String n) { Object v = m.get(n); return v instanceof Integer i ? new int[] {i} : v; }
    }
}
