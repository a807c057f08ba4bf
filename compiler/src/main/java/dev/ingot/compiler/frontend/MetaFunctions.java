package dev.ingot.compiler.frontend;

import dev.ingot.compiler.frontend.Value.BoolV;
import dev.ingot.compiler.frontend.Value.LayerDefV;
import dev.ingot.compiler.frontend.Value.LayerV;
import dev.ingot.compiler.frontend.Value.ListV;
import dev.ingot.compiler.frontend.Value.NumV;
import dev.ingot.compiler.frontend.Value.StackV;
import dev.ingot.compiler.frontend.Value.StrV;
import dev.ingot.compiler.frontend.Value.TensorV;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import dev.ingot.compiler.ops.Leaf;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.Scan;
import dev.ingot.compiler.ops.ScanBody;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.antlr.v4.runtime.ParserRuleContext;

/**
 * Functions of the frontend itself, working on compile-time values and on the graph's structure:
 * <ul>
 *   <li>{@code pair(k)}: {@code [k, k]} for a number, {@code k} for a list of two; {@code len(list)};
 *       {@code shape(x)}: a tensor's dimensions as a list ({@code batch} for the batch).</li>
 *   <li>{@code scan(step, init, xs, reverse = false)}: runs {@code step(carry, x_t)} over the time axis
 *       (axis 1) of {@code xs} as one loop ({@link Scan}), never unrolled. {@code step} returns
 *       {@code [new_carry, y]} (or just the new carry, which is then also y); carries and inputs
 *       may be lists of tensors. Returns {@code [final_carry, ys]} with ys {@code [batch, T, ...]}.</li>
 *   <li>{@code repeat(n, layer_def, args...)}: n instances of a layer, applied in order; calling the stack
 *       {@code s(x, more...)} passes x through the blocks and {@code more} (and named arguments) to every one.</li>
 *   <li>{@code sequential(f, g, ...)}: layers and functions applied in order.</li>
 *   <li>{@code grad(y, wrt)}: the gradient of scalar {@code y} with respect to {@code wrt}: an input, a parameter
 *       or an intermediate value (a tensor of its shape), a layer (a list of the gradients of its parameters,
 *       in declaration order) or a list of these (a list). See {@link dev.ingot.compiler.ops.Grad}.</li>
 *   <li>{@code bidirectional(layer, merge = "concat")}: the layer over the sequence and a twin (its own
 *       weights, {@code reverse = true}) backwards, outputs merged by "concat", "sum", "ave" or "mul".</li>
 * </ul>
 */
final class MetaFunctions {
    /** Most copies {@code repeat} makes. */
    static final int MAX_REPEAT = 10_000;

    private MetaFunctions() {}

    static final List<String> NAMES = List.of("pair", "len", "shape", "scan", "repeat", "sequential", "bidirectional", "grad");

    static Value call(Evaluator ev, String name, List<Value> pos, Map<String, Value> named, ParserRuleContext ctx, SourceFile f) {
        switch (name) {
            case "pair", "len" -> {
                Value x = ev.bind(name, List.of("x"), List.of(true), pos, named, ctx, f).get("x");
                if (name.equals("len")) {
                    if (x instanceof ListV l) return new NumV(l.items().size(), true);
                    throw ev.error(ctx, f, "len(): expected a list, got " + x.describe());
                }
                if (x instanceof NumV n && n.isInt()) return new ListV(List.of(n, n));
                if (x instanceof ListV l && l.items().size() == 2) return l;
                throw ev.error(ctx, f, "pair(): expected a number or a list of two, got " + x.describe());
            }
            case "shape" -> {
                Value x = ev.bind(name, List.of("x"), List.of(true), pos, named, ctx, f).get("x");
                if (!(x instanceof TensorV t)) throw ev.error(ctx, f, "shape(): expected a tensor, got " + x.describe());
                List<Value> dims = new ArrayList<>();
                for (int d : t.node().shape().dims()) dims.add(d == Shape.BATCH ? new Value.DimV(d) : new NumV(d, true));
                return new ListV(dims);
            }
            case "scan" -> {
                Map<String, Value> a = ev.bind(name, List.of("step", "init", "xs", "reverse", "length"), List.of(true, true, false, false, false), pos, named, ctx, f);
                boolean reverse = a.get("reverse") instanceof BoolV bv && bv.v();
                if (a.get("reverse") != null && !(a.get("reverse") instanceof BoolV)) throw ev.error(ctx, f, "scan(): reverse must be true or false");
                Value xs = a.getOrDefault("xs", new Value.NoneV());
                int length = -1;
                if (a.get("length") != null) {
                    if (!(a.get("length") instanceof NumV n) || !n.isInt() || n.v() < 1) throw ev.error(ctx, f, "scan(): length must be a positive integer");
                    length = (int) ((NumV) a.get("length")).v();
                }
                if (xs instanceof Value.NoneV && length < 0) throw ev.error(ctx, f, "scan(): give the inputs to scan over, or a length");
                return scan(ev, a.get("step"), a.get("init"), xs, reverse, length, ctx, f);
            }
            case "repeat" -> {
                if (pos.size() < 2 || !(pos.get(0) instanceof NumV n) || !n.isInt() || n.v() < 1 || !(pos.get(1) instanceof LayerDefV def))
                    throw ev.error(ctx, f, "repeat(n, layer, args...): n must be a positive integer and layer a layer definition like dense");
                if (n.v() > MAX_REPEAT) throw ev.error(ctx, f, "repeat(" + (long) n.v() + ", ...): at most " + MAX_REPEAT + " copies of a layer (a generated class holds at most 65,535 fields)");
                String path = ev.takeLayerName("repeat");
                List<Value> layers = new ArrayList<>();
                for (int i = 0; i < (int) n.v(); i++) layers.add(Layers.instantiate(ev, def, path + "." + i, pos.subList(2, pos.size()), named, ctx, f));
                return new StackV(path, layers, "repeat");
            }
            case "sequential" -> {
                if (pos.isEmpty() || !named.isEmpty()) throw ev.error(ctx, f, "sequential(f, g, ...) takes layers and functions, in order");
                return new StackV(ev.takeLayerName("sequential"), List.copyOf(pos), "sequence");
            }
            case "bidirectional" -> {
                Map<String, Value> a = ev.bind(name, List.of("layer", "merge"), List.of(true, false), pos, named, ctx, f);
                if (!(a.get("layer") instanceof LayerV fwd)) throw ev.error(ctx, f, "bidirectional(): expected a recurrent layer like lstm(64, 128), got " + a.get("layer").describe());
                String merge = a.get("merge") == null ? "concat" : a.get("merge") instanceof StrV s ? s.s() : null;
                if (!List.of("concat", "sum", "ave", "mul").contains(merge)) throw ev.error(ctx, f, "bidirectional(): merge must be \"concat\", \"sum\", \"ave\" or \"mul\"");
                Map<String, Value> args = new LinkedHashMap<>(fwd.named());
                args.put("reverse", new BoolV(true));
                LayerV bwd = Layers.instantiate(ev, fwd.def(), fwd.path() + "_reverse", fwd.args(), args, ctx, f);
                return new StackV(fwd.path(), List.of(fwd, bwd), "bidirectional:" + merge);
            }
            case "grad" -> {
                Map<String, Value> a = ev.bind(name, List.of("y", "wrt"), List.of(true, true), pos, named, ctx, f);
                if (!(a.get("y") instanceof TensorV y) || !y.node().shape().isScalar() || y.node().dtype() != dev.ingot.compiler.ir.DType.F32)
                    throw ev.error(ctx, f, "grad(): the first argument must be a scalar f32 value such as a loss, got " + a.get("y").describe(),
                            "grad(loss, x) with loss = mean(...) or softmax_cross_entropy(...)");
                return gradient(ev, y.node(), a.get("wrt"), ctx, f);
            }
            default -> throw new IllegalStateException(name);
        }
    }

    /** {@code grad(y, wrt)} for a tensor, a layer (its parameters) or a list of these. */
    private static Value gradient(Evaluator ev, Node y, Value wrt, ParserRuleContext ctx, SourceFile f) {
        if (wrt instanceof TensorV t) {
            if (t.node().dtype() != dev.ingot.compiler.ir.DType.F32) throw ev.error(ctx, f, "grad(): gradients exist only with respect to f32 values, got " + wrt.describe());
            return new TensorV(ev.b.node(Ops.GRAD, y, t.node()));
        }
        if (wrt instanceof ListV l) {
            List<Value> r = new ArrayList<>();
            for (Value v : l.items()) r.add(gradient(ev, y, v, ctx, f));
            return new ListV(r);
        }
        if (wrt instanceof LayerV || wrt instanceof StackV) {
            String path = wrt instanceof LayerV l ? l.path() : ((StackV) wrt).path();
            List<Value> r = new ArrayList<>();
            for (Node p : ev.params()) if (p.attrs().s("name").startsWith(path + ".")) r.add(new TensorV(ev.b.node(Ops.GRAD, y, p)));
            if (r.isEmpty()) throw ev.error(ctx, f, "grad(): layer " + path + " has no parameters");
            return new ListV(r);
        }
        throw ev.error(ctx, f, "grad(): the second argument must be a tensor (input, parameter or value), a layer or a list of them, got " + wrt.describe());
    }

    /** Applies a stack: in order, or both directions merged. */
    static Value applyStack(Evaluator ev, StackV st, List<Value> pos, Map<String, Value> named, ParserRuleContext ctx, SourceFile f) {
        if (st.mode().equals("sequence") || st.mode().equals("repeat")) {
            // the value threads through the layers; named arguments (e.g. a mask) go to every layer, and in
            // a repeat, so do the positional ones after the first (a decoder's memory: decs(x, memory))
            Value v = ev.apply(st.layers().get(0), pos, named, ctx, ctx, f);
            List<Value> rest = st.mode().equals("repeat") && pos.size() > 1 ? pos.subList(1, pos.size()) : List.of();
            for (Value l : st.layers().subList(1, st.layers().size())) {
                List<Value> args = new ArrayList<>();
                args.add(v);
                args.addAll(rest);
                v = ev.apply(l, args, named, ctx, ctx, f);
            }
            return v;
        }
        Node a = ev.tensor(ev.apply(st.layers().get(0), pos, named, ctx, ctx, f), ctx, f, "the forward layer's output");
        Node b = ev.tensor(ev.apply(st.layers().get(1), pos, named, ctx, ctx, f), ctx, f, "the backward layer's output");
        GraphBuilder g = ev.b;
        return new TensorV(switch (st.mode().substring("bidirectional:".length())) {
            case "concat" -> g.node(Ops.CONCAT, List.of(a, b), dev.ingot.compiler.ir.Attrs.of("axis", a.shape().rank() - 1));
            case "sum" -> g.add(a, b);
            case "ave" -> g.mul(g.add(a, b), 0.5);
            default -> g.mul(a, b);
        });
    }

    // ---- scan ------------------------------------------------------------------------------------

    private static Value scan(Evaluator ev, Value step, Value init, Value xs, boolean reverse, int length, ParserRuleContext ctx, SourceFile f) {
        List<Node> carries = flatten(ev, init, ctx, f, "scan(): the initial state");
        List<Node> seqs = xs instanceof Value.NoneV ? List.of() : flatten(ev, xs, ctx, f, "scan(): the inputs");
        int t = length;
        for (Node s : seqs) {
            Shape sh = s.shape();
            if (sh.rank() < 2 || sh.isBatchDim(1) || (t >= 0 && sh.dim(1) != t))
                throw ev.error(ctx, f, "scan(): inputs must be [batch, time, ...] with the same static number of steps" + (length > 0 ? " (length " + length + ")" : "") + ", got " + sh);
            t = sh.dim(1);
        }
        // time-major inputs: each step is one contiguous block
        List<Node> timeMajor = new ArrayList<>();
        for (Node s : seqs) {
            int[] perm = GraphBuilder.allAxes(s.shape().rank());
            perm[0] = 1;
            perm[1] = 0;
            timeMajor.add(ev.b.transpose(s, perm));
        }
        // trace one step in a builder of its own
        GraphBuilder outer = ev.b, inner = new GraphBuilder();
        inner.at(outer.provenance());
        ev.b = inner;
        List<Node> newCarries, ys;
        List<Node> cLeaves = new ArrayList<>(), xLeaves = new ArrayList<>();
        Value yStructure;
        try {
            for (int i = 0; i < carries.size(); i++) cLeaves.add(inner.input("c" + i, carries.get(i).type(), "x"));
            for (int j = 0; j < seqs.size(); j++) xLeaves.add(inner.input("x" + j, step(seqs.get(j).type()), "x"));
            Value r = ev.apply(step, List.of(rebuild(init, cLeaves), xs instanceof Value.NoneV ? xs : rebuild(xs, xLeaves)), Map.of(), ctx, ctx, f);
            Value carryOut = r, yOut = r;
            if (r instanceof ListV l && l.items().size() == 2 && !(init instanceof ListV il && il.items().size() == 2 && !(l.items().get(0) instanceof ListV))) {
                carryOut = l.items().get(0);
                yOut = l.items().get(1);
            }
            newCarries = flatten(ev, carryOut, ctx, f, "the step's new state");
            ys = flatten(ev, yOut, ctx, f, "the step's output");
            yStructure = yOut;
            if (newCarries.size() != carries.size())
                throw ev.error(ctx, f, "scan(): the step returns " + newCarries.size() + " state tensors but the initial state has " + carries.size());
            for (int i = 0; i < carries.size(); i++)
                if (!newCarries.get(i).type().equals(carries.get(i).type()))
                    throw ev.error(ctx, f, "scan(): the step turns state " + i + " from " + carries.get(i).type() + " into " + newCarries.get(i).type() + "; it must keep its shape");
            if (!inner.trainUpdates().isEmpty()) throw ev.error(ctx, f, "scan(): layers with running statistics (batch_norm) cannot be used inside a loop");
        } finally {
            ev.b = outer;
        }
        // the body: values from outside the step become constants of the loop
        List<Graph.Output> outs = new ArrayList<>();
        for (int i = 0; i < newCarries.size(); i++) outs.add(new Graph.Output("c" + i, newCarries.get(i)));
        for (int l = 0; l < ys.size(); l++) outs.add(new Graph.Output("y" + l, ys.get(l)));
        List<Node> captured = new ArrayList<>();
        Map<Node, String> constName = new IdentityHashMap<>();
        Rewriter.Rebuilt body = Rewriter.rebuild(new Graph("step", outs, List.of()), (nb, old, ins) -> {
            boolean outside = !inner.created(old) || old.op() == Ops.PARAM || old.op() == Ops.STATE
                    || (old.op() == Ops.INPUT && !cLeaves.contains(old) && !xLeaves.contains(old));
            if (!outside || (old.op() instanceof Leaf && old.op() != Ops.PARAM && old.op() != Ops.STATE && old.op() != Ops.INPUT)) return null;
            String k = constName.computeIfAbsent(old, o -> {
                captured.add(o);
                return "k" + (captured.size() - 1);
            });
            return nb.input(k, old.type(), "x");
        });
        List<TensorType> types = new ArrayList<>();
        for (Node c : carries) types.add(c.type());
        for (Node s : seqs) types.add(step(s.type()));
        for (Node k : captured) types.add(k.type());
        ScanBody sb = new ScanBody(body.graph(), carries.size(), seqs.size(), captured.size(), null, types);
        List<Node> in = new ArrayList<>(carries);
        in.addAll(timeMajor);
        in.addAll(captured);
        List<Node> res = Scan.build(ev.b, sb, in, t, reverse);
        List<Node> finals = res.subList(0, carries.size());
        List<Node> stacked = new ArrayList<>();
        for (Node y : res.subList(carries.size(), res.size())) {
            int[] perm = GraphBuilder.allAxes(y.shape().rank());
            perm[0] = 1;
            perm[1] = 0;
            stacked.add(ev.b.transpose(y, perm));
        }
        return new ListV(List.of(rebuild(init, finals), rebuild(yStructure, stacked)));
    }

    /** One step's slice of a [batch, time, ...] type: [batch, ...]. */
    private static TensorType step(TensorType seq) {
        int[] d = new int[seq.rank() - 1];
        d[0] = seq.shape().dim(0);
        for (int i = 2; i < seq.rank(); i++) d[i - 1] = seq.shape().dim(i);
        return seq.withShape(new Shape(d));
    }

    private static List<Node> flatten(Evaluator ev, Value v, ParserRuleContext ctx, SourceFile f, String what) {
        List<Node> r = new ArrayList<>();
        if (v instanceof TensorV t) r.add(t.node());
        else if (v instanceof ListV l) for (Value item : l.items()) r.addAll(flatten(ev, item, ctx, f, what));
        else throw ev.error(ctx, f, what + " must be a tensor or a list of tensors, got " + v.describe());
        return r;
    }

    /** A value of {@code shape}'s structure (a tensor, or nested lists) holding {@code nodes} in order. */
    private static Value rebuild(Value shape, List<Node> nodes) {
        int[] at = {0};
        return rebuild(shape, nodes, at);
    }

    private static Value rebuild(Value shape, List<Node> nodes, int[] at) {
        if (shape instanceof ListV l) {
            List<Value> items = new ArrayList<>();
            for (Value i : l.items()) items.add(rebuild(i, nodes, at));
            return new ListV(items);
        }
        return new TensorV(nodes.get(at[0]++));
    }
}
