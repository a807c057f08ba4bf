package dev.ingot.compiler.frontend;

import dev.ingot.compiler.diag.CompileError;
import dev.ingot.compiler.frontend.Value.BoolV;
import dev.ingot.compiler.frontend.Value.BuiltinV;
import dev.ingot.compiler.frontend.Value.DimV;
import dev.ingot.compiler.frontend.Value.FnV;
import dev.ingot.compiler.frontend.Value.LayerDefV;
import dev.ingot.compiler.frontend.Value.LayerV;
import dev.ingot.compiler.frontend.Value.NumV;
import dev.ingot.compiler.frontend.Value.StrV;
import dev.ingot.compiler.frontend.Value.TensorV;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.SourceLoc;
import dev.ingot.compiler.ir.TensorType;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.optim.Optimizer;
import dev.ingot.compiler.optim.Schedule;
import dev.ingot.grammar.IngotParser;
import dev.ingot.runtime.model.TrainConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * From DSL text to {@link ModelIr}: parse, collect the file's functions and layers over the
 * standard library, then evaluate the model's statements in order, building graph nodes.
 */
public final class Frontend {
    private Frontend() {}

    private static final SourceFile PRELUDE = loadPrelude();

    private static SourceFile loadPrelude() {
        try (InputStream in = Frontend.class.getResourceAsStream("/dev/ingot/compiler/std/prelude.ingot")) {
            if (in == null) throw new IllegalStateException("standard library prelude.ingot missing from the classpath");
            return SourceFile.of("<std>", null, new String(in.readAllBytes(), StandardCharsets.UTF_8), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compiles the one model of {@code src}. */
    public static ModelIr compile(SourceFile src) { return compile(src, null); }

    /**
     * Compiles the one model of {@code src}, adding every application of a layer (outside loop
     * bodies), in evaluation order, to {@code layerCalls} when it is not null ({@code ingot summary}).
     */
    public static ModelIr compile(SourceFile src, List<Evaluator.LayerCall> layerCalls) {
        IngotParser.FileContext file = Parsing.parse(src);
        GraphBuilder b = new GraphBuilder();
        Evaluator ev = new Evaluator(b);
        ev.layerCalls = layerCalls;
        Scope builtins = builtinScope();
        Scope std = definitions(ev, Parsing.parse(PRELUDE), PRELUDE, builtins);
        Scope user = definitions(ev, file, src, std);
        List<IngotParser.ModelDefContext> models = new ArrayList<>();
        for (IngotParser.ItemContext it : file.item()) if (it.modelDef() != null) models.add(it.modelDef());
        if (models.isEmpty())
            throw new CompileError(new SourceLoc(src.name(), 1, 0, 1, src.line(1)), "no model in this file", "model Name { input x: f32[batch, 784] ... }");
        if (models.size() > 1) {
            List<String> names = models.stream().map(m -> m.name.getText()).toList();
            throw new CompileError(src.loc(models.get(1).name), "this file defines " + models.size() + " models (" + String.join(", ", names)
                    + "); Ingot compiles one model per file");
        }
        return new ModelEvaluation(ev, src, user).run(models.get(0));
    }

    /** Builtin functions, initializers, {@code batch}, {@code true} and {@code false}. */
    private static Scope builtinScope() {
        Scope s = new Scope(null);
        for (Builtin fn : Ops.functions().values()) s.define(fn.name(), new BuiltinV(fn), SourceLoc.NONE);
        for (String init : Inits.NAMES) s.define(init, Inits.bare(init), SourceLoc.NONE);
        s.define("batch", new DimV(Shape.BATCH), SourceLoc.NONE);
        for (String meta : MetaFunctions.NAMES) s.define(meta, new Value.MetaFnV(meta), SourceLoc.NONE);
        s.define("true", new BoolV(true), SourceLoc.NONE);
        s.define("false", new BoolV(false), SourceLoc.NONE);
        s.define("none", new Value.NoneV(), SourceLoc.NONE);
        return s;
    }

    /** The functions and layers a file defines, in a scope over {@code parent}. */
    private static Scope definitions(Evaluator ev, IngotParser.FileContext file, SourceFile src, Scope parent) {
        Scope s = new Scope(parent);
        ev.globals.put(src, s);
        for (IngotParser.ItemContext it : file.item()) {
            if (it.fnDef() != null) {
                String n = it.fnDef().name.getText();
                ev.defineLocal(s, n, new FnV(n, it.fnDef(), src, s), it.fnDef(), src);
            } else if (it.layerDef() != null) {
                String n = it.layerDef().name.getText();
                ev.defineLocal(s, n, new LayerDefV(n, it.layerDef(), src), it.layerDef(), src);
            }
        }
        return s;
    }

    /** Evaluation of one model's statements. */
    private static final class ModelEvaluation {
        final Evaluator ev;
        final SourceFile src;
        final Scope scope;
        final List<Node> inputs = new ArrayList<>(), labels = new ArrayList<>();
        final Map<String, Node> outputs = new LinkedHashMap<>();
        Node loss;
        TrainConfig train;
        String optimizer;
        Map<String, Double> hyper;
        Schedule schedule = Schedule.constant();
        double clip;
        String metric = "accuracy";
        IngotParser.ExprContext lossExpr, metricExpr;
        final List<ModelIr.Step> steps = new ArrayList<>();
        final Map<String, Node> reports = new LinkedHashMap<>();

        ModelEvaluation(Evaluator ev, SourceFile src, Scope globals) {
            this.ev = ev;
            this.src = src;
            this.scope = new Scope(globals);
        }

        ModelIr run(IngotParser.ModelDefContext m) {
            for (IngotParser.ModelStmtContext st : m.modelStmt()) statement(st);
            SourceLoc loc = src.loc(m.name);
            if (outputs.isEmpty())
                throw new CompileError(loc, "model " + m.name.getText() + " has no output", "a line like: output logits = out(h)");
            if (train != null && loss == null && steps.isEmpty())
                throw new CompileError(loc, "model " + m.name.getText() + " has a train block but no loss", "a line like: loss = softmax_cross_entropy(logits, y)");
            if (metric.equals("mse") && !isMseCall(lossExpr))
                throw ev.error(metricExpr, src, "metric mse reports the loss as the test MSE, but this model's loss is not mse(...)",
                        "a loss written as loss = mse(prediction, target), or no metric (the loss is reported as test_loss)");
            return new ModelIr(m.name.getText(), src, loc, inputs, labels, ev.params(), outputs, loss, train, optimizer, hyper, schedule,
                    ev.buffers(), ev.b.trainUpdates(), clip, steps, reports);
        }

        void statement(IngotParser.ModelStmtContext st) {
            if (st instanceof IngotParser.InputDeclContext in) leafInput(in.name.getText(), in.tensorType(), in, "input", inputs);
            else if (st instanceof IngotParser.LabelDeclContext lb) leafInput(lb.name.getText(), lb.tensorType(), lb, "label", labels);
            else if (st instanceof IngotParser.ModelParamContext p) {
                String n = p.paramDecl().name.getText();
                ev.defineLocal(scope, n, new TensorV(ev.declareParam(n, p.paramDecl(), scope, src)), p, src);
            } else if (st instanceof IngotParser.ModelLayerContext l) {
                String n = l.layerInst().name.getText();
                ev.nameNextLayer(n);
                Value v = ev.eval(l.layerInst().expr(), scope, src);
                if (!(v instanceof LayerV) && !(v instanceof Value.StackV)) throw ev.error(l.layerInst().expr(), src, "layer " + n + ": expected a layer like dense(784, 256), got " + v.describe());
                ev.defineLocal(scope, n, v, l, src);
            } else if (st instanceof IngotParser.ModelFnContext fn) {
                String n = fn.fnDef().name.getText();
                ev.defineLocal(scope, n, new FnV(n, fn.fnDef(), src, scope), fn, src);
            } else if (st instanceof IngotParser.OutputDeclContext o) output(o);
            else if (st instanceof IngotParser.ModelLetContext let) {
                String n = let.name.getText();
                Value v = ev.eval(let.expr(), scope, src);
                ev.defineLocal(scope, n, v, let, src);
                if (v instanceof TensorV t) t.node().hint(n);
                if (n.equals("loss")) {
                    loss = lossNode(v, let.expr(), "the loss");
                    lossExpr = let.expr();
                }
            } else if (st instanceof IngotParser.TrainBlockContext t) trainBlock(t);
        }

        void leafInput(String name, IngotParser.TensorTypeContext t, IngotParser.ModelStmtContext st, String role, List<Node> into) {
            SourceLoc old = ev.enter(st, src);
            try {
                TensorType type = ev.tensorType(t, scope, src, true);
                if (type.shape().batchAxis() > 0)
                    throw ev.error(t, src, "the batch dimension must come first in an " + role + ", as in f32[batch, 784]");
                Node n = ev.b.input(name, type, role);
                ev.defineLocal(scope, name, new TensorV(n), st, src);
                into.add(n);
            } finally {
                ev.leave(old);
            }
        }

        void output(IngotParser.OutputDeclContext o) {
            String n = o.name.getText();
            Value v;
            if (o.expr() != null) {
                v = ev.eval(o.expr(), scope, src);
                ev.defineLocal(scope, n, v, o, src);
                if (v instanceof TensorV t) t.node().hint(n);
            } else v = ev.lookup(n, scope, o, src);
            if (!(v instanceof TensorV t) || t.node().dtype() != DType.F32)
                throw ev.error(o, src, "output " + n + " must be an f32 tensor, got " + v.describe());
            if (!t.node().shape().hasBatch() || t.node().shape().batchAxis() != 0)
                throw ev.error(o, src, "output " + n + " must have the batch dimension first, got shape " + t.node().shape());
            if (outputs.put(n, t.node()) != null) throw ev.error(o, src, "output " + n + " is declared twice");
        }

        Node lossNode(Value v, IngotParser.ExprContext where, String what) {
            if (!(v instanceof TensorV t) || t.node().dtype() != DType.F32 || !t.node().shape().isScalar())
                throw ev.error(where, src, what + " must be a scalar f32 tensor, got " + v.describe(),
                        "a reduction to one number, e.g. softmax_cross_entropy(logits, y) or mean(...)");
            return t.node();
        }

        // ---- train { optimizer: sgd(lr=0.05, momentum=0.9), batch: 128, epochs: 2, data: mnist("data/mnist") } ----

        static final List<String> KEYS = List.of("optimizer", "schedule", "clip", "batch", "epochs", "data", "metric", "report", "early_stopping");
        static final List<String> STEP_KEYS = List.of("loss", "optimizer", "schedule", "clip", "params");

        void trainBlock(IngotParser.TrainBlockContext t) {
            if (train != null) throw ev.error(t, src, "a model has one train block");
            int batch = 32, epochs = 1, earlyStopping = 0;
            TrainConfig.DataSpec data = null;
            String opt = null;
            Map<String, Double> hp = null;
            Set<String> seen = new java.util.HashSet<>();
            for (IngotParser.SettingContext s : t.setting()) {
                String key = s.key.getText();
                if (!KEYS.contains(key)) throw ev.error(s, src, "unknown train setting '" + key + "'" + Suggest.hint(key, KEYS), String.join(", ", KEYS));
                if (!seen.add(key)) throw ev.error(s, src, "train setting '" + key + "' is given twice");
                switch (key) {
                    case "batch" -> batch = positiveInt(s);
                    case "early_stopping" -> earlyStopping = positiveInt(s);
                    case "epochs" -> epochs = positiveInt(s);
                    case "optimizer" -> {
                        var r = optimizer(s.expr());
                        opt = r.getKey();
                        hp = r.getValue();
                    }
                    case "data" -> data = dataSpec(s.expr());
                    case "schedule" -> schedule = schedule(s.expr());
                    case "metric" -> {
                        metric = metric(s.expr());
                        metricExpr = s.expr();
                    }
                    case "clip" -> clip = clipNorm(s);
                    case "report" -> report(s.expr());
                    default -> throw new IllegalStateException(key);
                }
            }
            Set<String> stepNames = new java.util.LinkedHashSet<>();
            for (IngotParser.StepDeclContext sd : t.stepDecl()) {
                ModelIr.Step st = step(sd, opt, hp);
                if (!stepNames.add(st.name())) throw ev.error(sd, src, "step " + st.name() + " is declared twice");
                for (ModelIr.Step other : steps)
                    for (Node p : st.params())
                        if (other.params().contains(p))
                            throw ev.error(sd, src, "step " + st.name() + " and step " + other.name() + " both update " + p.attrs().s("name")
                                    + "; each parameter belongs to one step (its optimizer state is the step's)");
                steps.add(st);
            }
            if (opt == null && steps.isEmpty()) throw ev.error(t, src, "the train block needs an optimizer", "optimizer: sgd(lr=0.05, momentum=0.9) or adam(lr=1e-3)");
            if (!steps.isEmpty()) {
                if (loss == null) loss = steps.get(0).loss();     // what evaluate reports as the loss
                if (opt == null) {
                    opt = steps.get(0).optimizer();
                    hp = steps.get(0).hyper();
                }
            }
            optimizer = opt;
            hyper = hp;
            // a plateau schedule of the train block, else of a step: the trainer reduces the one shared learning-rate scale
            dev.ingot.compiler.optim.Schedule plateau = schedule.kind().equals("plateau") ? schedule
                    : steps.stream().map(ModelIr.Step::schedule).filter(x -> x.kind().equals("plateau")).findFirst().orElse(schedule);
            if (clip > 0 || earlyStopping > 0 || plateau.kind().equals("plateau")) hp = new LinkedHashMap<>(hp);
            if (clip > 0) hp.put("clip_norm", clip);
            // training control, read by the runtime's trainer (TrainConfig.EARLY_STOPPING, PLATEAU_*)
            if (earlyStopping > 0) hp.put(TrainConfig.EARLY_STOPPING, (double) earlyStopping);
            if (plateau.kind().equals("plateau")) {
                hp.put(TrainConfig.PLATEAU_FACTOR, plateau.factor());
                hp.put(TrainConfig.PLATEAU_PATIENCE, (double) plateau.patience());
            }
            train = new TrainConfig(batch, epochs, opt, hp, data, schedule.toString(), metric, List.copyOf(stepNames), List.copyOf(reports.keySet()));
        }

        double clipNorm(IngotParser.SettingContext s) {
            Value v = ev.eval(s.expr(), scope, src);
            if (!(v instanceof NumV n) || n.v() <= 0) throw ev.error(s.expr(), src, "clip must be a positive number (the largest global gradient norm), got " + v.describe());
            return n.v();
        }

        /** {@code report: [kl, recon]}: scalar values of the model, averaged over the test set by evaluate. */
        void report(IngotParser.ExprContext e) {
            List<IngotParser.ExprContext> items = e instanceof IngotParser.ListExprContext l ? l.expr() : List.of(e);
            for (IngotParser.ExprContext item : items) {
                if (!(item instanceof IngotParser.RefExprContext r))
                    throw ev.error(item, src, "report: expected the name of a scalar value of the model", "report: [kl, reconstruction]");
                String name = r.ID().getText();
                Node n = lossNode(ev.lookup(name, scope, r, src), item, "report: " + name);
                if (reports.put(name, n) != null) throw ev.error(item, src, "report: " + name + " is given twice");
            }
        }

        /** {@code step NAME { loss: ..., optimizer: ..., schedule: ..., clip: ..., params: ... }}; unset settings come from the train block. */
        ModelIr.Step step(IngotParser.StepDeclContext sd, String opt, Map<String, Double> hp) {
            if (!sd.kw.getText().equals("step"))
                throw ev.error(sd, src, "unknown block '" + sd.kw.getText() + "' in the train block", "step NAME { loss: ..., optimizer: ..., params: ... }");
            String name = sd.name.getText();
            Node stepLoss = null;
            Schedule sch = schedule;
            double clipNorm = clip;
            List<Node> params = null;
            Set<String> seen = new java.util.HashSet<>();
            for (IngotParser.SettingContext s : sd.setting()) {
                String key = s.key.getText();
                if (!STEP_KEYS.contains(key)) throw ev.error(s, src, "unknown step setting '" + key + "'" + Suggest.hint(key, STEP_KEYS), String.join(", ", STEP_KEYS));
                if (!seen.add(key)) throw ev.error(s, src, "step setting '" + key + "' is given twice");
                switch (key) {
                    case "loss" -> stepLoss = lossNode(ev.eval(s.expr(), scope, src), s.expr(), "the loss of step " + name);
                    case "optimizer" -> {
                        var r = optimizer(s.expr());
                        opt = r.getKey();
                        hp = r.getValue();
                    }
                    case "schedule" -> sch = schedule(s.expr());
                    case "clip" -> clipNorm = clipNorm(s);
                    case "params" -> params = stepParams(s.expr(), name);
                    default -> throw new IllegalStateException(key);
                }
            }
            if (stepLoss == null) throw ev.error(sd, src, "step " + name + " needs a loss", "loss: d_loss");
            if (opt == null) throw ev.error(sd, src, "step " + name + " needs an optimizer (in the step or in the train block)", "optimizer: adam(lr = 2e-4)");
            return new ModelIr.Step(name, stepLoss, opt, hp, sch, clipNorm, params == null ? List.copyOf(ev.params()) : params);
        }

        /** The parameters a step updates: layers (all their parameters), name prefixes ("gen."), parameters, or a list of these. */
        List<Node> stepParams(IngotParser.ExprContext e, String step) {
            List<Node> r = new ArrayList<>();
            collectParams(ev.eval(e, scope, src), e, step, r);
            return r;
        }

        private void collectParams(Value v, IngotParser.ExprContext e, String step, List<Node> into) {
            String prefix;
            if (v instanceof Value.ListV l) {
                for (Value item : l.items()) collectParams(item, e, step, into);
                return;
            }
            if (v instanceof TensorV t && t.node().op() == dev.ingot.compiler.ops.Ops.PARAM) {
                if (!into.contains(t.node())) into.add(t.node());
                return;
            }
            if (v instanceof Value.LayerV l) prefix = l.path() + ".";
            else if (v instanceof Value.StackV st) prefix = st.path() + ".";
            else if (v instanceof StrV sv) prefix = sv.s();
            else throw ev.error(e, src, "params of step " + step + ": expected layers, parameters or name prefixes like \"gen.\", got " + v.describe());
            int before = into.size();
            for (Node p : ev.params()) if (p.attrs().s("name").startsWith(prefix) && !into.contains(p)) into.add(p);
            if (into.size() == before) throw ev.error(e, src, "params of step " + step + ": no parameter is named " + prefix + "...");
        }

        int positiveInt(IngotParser.SettingContext s) {
            Value v = ev.eval(s.expr(), scope, src);
            if (!(v instanceof NumV n) || !n.isInt() || n.v() < 1) throw ev.error(s.expr(), src, s.key.getText() + " must be a positive integer, got " + v.describe());
            return (int) n.v();
        }

        /** {@code sgd(lr=0.05, momentum=0.9)} or a bare {@code adam}: hyperparameters checked against the optimizer's. */
        Map.Entry<String, Map<String, Double>> optimizer(IngotParser.ExprContext e) {
            String name;
            List<IngotParser.ArgContext> args = List.of();
            if (e instanceof IngotParser.RefExprContext r) name = r.ID().getText();
            else if (e instanceof IngotParser.CallExprContext c && c.callee instanceof IngotParser.RefExprContext r) {
                name = r.ID().getText();
                if (c.argList() != null) args = c.argList().arg();
            } else throw ev.error(e, src, "expected an optimizer like sgd(lr=0.05) or adam(lr=1e-3)");
            Map<String, Optimizer> all = Optimizer.all();
            Optimizer o = all.get(name);
            if (o == null) throw ev.error(e, src, "unknown optimizer '" + name + "'" + Suggest.hint(name, all.keySet()), String.join(", ", all.keySet()));
            Map<String, Double> hp = new LinkedHashMap<>(o.defaults());
            List<String> names = new ArrayList<>(hp.keySet());
            int i = 0;
            for (IngotParser.ArgContext a : args) {
                String key = a.name == null ? (i < names.size() ? names.get(i) : null) : a.name.getText();
                i++;
                if (key == null) throw ev.error(a, src, name + "() takes at most " + names.size() + " arguments");
                if (!hp.containsKey(key))
                    throw ev.error(a, src, name + "() has no hyperparameter '" + key + "'" + Suggest.hint(key, names), name + "(" + String.join(", ", names) + ")");
                Value v = ev.eval(a.expr(), scope, src);
                double d;
                if (v instanceof NumV n) d = n.v();
                else if (v instanceof BoolV bo) d = bo.v() ? 1 : 0;
                else throw ev.error(a, src, name + "(): '" + key + "' must be a number, got " + v.describe());
                if (d < 0 || (key.equals("lr") && d == 0)) throw ev.error(a, src, name + "(): '" + key + "' must be positive, got " + d);
                hp.put(key, d);
            }
            return Map.entry(name, hp);
        }

        /** Whether the loss is written as a call of {@code mse} (the only loss that {@code metric: mse} may report as an MSE). */
        static boolean isMseCall(IngotParser.ExprContext e) {
            while (e instanceof IngotParser.ParenExprContext p) e = p.expr();
            return e instanceof IngotParser.CallExprContext c && c.callee instanceof IngotParser.RefExprContext r && r.ID().getText().equals("mse");
        }

        /** {@code accuracy} (classification) or {@code exact(output)}: the share of examples whose predicted ids all match. */
        String metric(IngotParser.ExprContext e) {
            if (e instanceof IngotParser.RefExprContext r && (r.ID().getText().equals("accuracy") || r.ID().getText().equals("mse"))) return r.ID().getText();
            if (e instanceof IngotParser.CallExprContext c && c.callee instanceof IngotParser.RefExprContext r && r.ID().getText().equals("exact")
                    && c.argList() != null && c.argList().arg().size() == 1 && c.argList().arg().get(0).expr() instanceof IngotParser.RefExprContext o) {
                String name = o.ID().getText();
                if (!outputs.containsKey(name)) throw ev.error(o, src, "exact(): no output named '" + name + "' (declare the train block after it)" + Suggest.hint(name, outputs.keySet()));
                return "exact:" + name;
            }
            throw ev.error(e, src, "unknown metric", "accuracy, mse (the loss is a mean squared error: reported as test_mse), or exact(OUTPUT) for predicted sequences");
        }

        /** {@code cosine}, {@code linear(warmup=100)}, {@code constant}. */
        Schedule schedule(IngotParser.ExprContext e) {
            String kind;
            List<IngotParser.ArgContext> args = List.of();
            if (e instanceof IngotParser.RefExprContext r) kind = r.ID().getText();
            else if (e instanceof IngotParser.CallExprContext c && c.callee instanceof IngotParser.RefExprContext r) {
                kind = r.ID().getText();
                if (c.argList() != null) args = c.argList().arg();
            } else throw ev.error(e, src, "expected a schedule", String.join(", ", Schedule.KINDS));
            if (!Schedule.KINDS.contains(kind)) throw ev.error(e, src, "unknown schedule '" + kind + "'" + Suggest.hint(kind, Schedule.KINDS), String.join(", ", Schedule.KINDS));
            int warmup = 0, patience = Schedule.DEFAULT_PATIENCE;
            double factor = Schedule.DEFAULT_FACTOR;
            boolean plateau = kind.equals("plateau");
            List<String> names = plateau ? List.of("factor", "patience", "warmup") : List.of("warmup");
            int i = 0;
            for (IngotParser.ArgContext a : args) {
                String key = a.name == null ? (i < names.size() ? names.get(i) : "") : a.name.getText();
                i++;
                if (!names.contains(key)) throw ev.error(a, src, kind + "() has no parameter '" + key + "'", plateau ? "plateau(factor = 0.5, patience = 2, warmup = STEPS)" : kind + "(warmup = STEPS)");
                Value v = ev.eval(a.expr(), scope, src);
                switch (key) {
                    case "factor" -> {
                        if (!(v instanceof NumV n) || !(n.v() > 0 && n.v() < 1)) throw ev.error(a, src, "factor must be a number between 0 and 1 (the learning rate is multiplied by it on a plateau), got " + v.describe());
                        factor = ((NumV) v).v();
                    }
                    case "patience" -> {
                        if (!(v instanceof NumV n) || !n.isInt() || n.v() < 1) throw ev.error(a, src, "patience must be a number of evaluations (an integer >= 1), got " + v.describe());
                        patience = (int) ((NumV) v).v();
                    }
                    default -> {
                        if (!(v instanceof NumV n) || !n.isInt() || n.v() < 0) throw ev.error(a, src, "warmup must be a number of steps (an integer >= 0), got " + v.describe());
                        warmup = (int) ((NumV) v).v();
                    }
                }
            }
            return new Schedule(kind, warmup, factor, patience);
        }

        /**
         * The data sources the runtime reads, with their options (first the positional one):
         * {@code mnist(dir)}, {@code fashion_mnist(dir)}, {@code idx(dir, scale)}, {@code chars(file, seq, val)},
         * {@code sentences(dir, vocab, length, test, seed)}, {@code reverse(count, test_count, length, vocab, seed)}.
         */
        static final Map<String, List<String>> DATA = new java.util.LinkedHashMap<>();
        static {
            DATA.put("mnist", List.of("dir"));
            DATA.put("fashion_mnist", List.of("dir"));
            DATA.put("idx", List.of("dir", "scale"));
            DATA.put("chars", List.of("file", "seq", "val"));
            DATA.put("sentences", dev.ingot.runtime.data.SentenceCorpus.OPTIONS);
            DATA.put("csv", dev.ingot.runtime.data.Csv.OPTIONS);
            DATA.put("npy", dev.ingot.runtime.data.Npy.NPY_OPTIONS);
            DATA.put("npz", dev.ingot.runtime.data.Npy.NPZ_OPTIONS);
            DATA.put("reverse", List.of("count", "test_count", "length", "vocab", "seed"));
        }

        TrainConfig.DataSpec dataSpec(IngotParser.ExprContext e) {
            if (!(e instanceof IngotParser.CallExprContext c) || !(c.callee instanceof IngotParser.RefExprContext r))
                throw ev.error(e, src, "expected a data source like mnist(\"data/mnist\")", String.join(", ", DATA.keySet()));
            String kind = r.ID().getText();
            List<String> keys = DATA.get(kind);
            if (keys == null) throw ev.error(r, src, "unknown data source '" + kind + "'" + Suggest.hint(kind, DATA.keySet()), String.join(", ", DATA.keySet()));
            Map<String, String> opts = new java.util.LinkedHashMap<>();
            int i = 0;
            for (IngotParser.ArgContext a : c.argList() == null ? List.<IngotParser.ArgContext>of() : c.argList().arg()) {
                String key = a.name == null ? (i < keys.size() ? keys.get(i) : null) : a.name.getText();
                i++;
                if (key == null) throw ev.error(a, src, kind + "() takes at most " + keys.size() + " arguments", kind + "(" + String.join(", ", keys) + ")");
                if (!keys.contains(key)) throw ev.error(a, src, kind + "() has no option '" + key + "'" + Suggest.hint(key, keys), kind + "(" + String.join(", ", keys) + ")");
                Value v = ev.eval(a.expr(), scope, src);
                String text;
                if (v instanceof StrV sv) text = sv.s();
                else if (v instanceof NumV n) text = n.isInt() ? Long.toString((long) n.v()) : Double.toString(n.v());
                else if (v instanceof BoolV bo) text = Boolean.toString(bo.v());
                else if (v instanceof Value.ListV l && !l.items().isEmpty() && l.items().stream().allMatch(x -> x instanceof StrV || x instanceof NumV nv && nv.isInt())) {
                    text = l.items().stream().map(x -> x instanceof StrV sx ? sx.s() : Long.toString((long) ((NumV) x).v())).collect(java.util.stream.Collectors.joining(","));
                } else throw ev.error(a, src, kind + "(): '" + key + "' must be a string, a number, true/false or a list of names or column numbers, got " + v.describe());
                opts.put(key, text);
            }
            String runtimeKind = kind.equals("mnist") || kind.equals("fashion_mnist") ? "idx" : kind;
            if (runtimeKind.equals("idx") && !opts.containsKey("dir")) throw ev.error(c, src, kind + "() needs the directory of its IDX files", kind + "(\"data/mnist\")");
            if (kind.equals("chars") && (!opts.containsKey("file") || !opts.containsKey("seq")))
                throw ev.error(c, src, "chars() needs the text file and the window length", "chars(\"data/tinyshakespeare/input.txt\", seq = 64)");
            if (kind.equals("sentences") && !opts.containsKey("dir")) throw ev.error(c, src, "sentences() needs the directory of the sentence files", "sentences(\"data/sentiment\")");
            if ((kind.equals("csv") || kind.equals("npz")) && !opts.containsKey("file")) throw ev.error(c, src, kind + "() needs the file to read", kind + "(\"data/table." + kind + "\")");
            if (kind.equals("npy") && (!opts.containsKey("x") || !opts.containsKey("y"))) throw ev.error(c, src, "npy() needs the features and the labels file", "npy(\"data/x.npy\", \"data/y.npy\")");
            return new TrainConfig.DataSpec(runtimeKind, opts);
        }
    }
}
