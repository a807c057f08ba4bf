package dev.ingot.compiler.frontend;

import dev.ingot.compiler.frontend.Value.LayerDefV;
import dev.ingot.compiler.frontend.Value.LayerV;
import dev.ingot.grammar.IngotParser;
import java.util.List;
import java.util.Map;
import org.antlr.v4.runtime.ParserRuleContext;

/**
 * Layers: instantiating a layer definition creates its parameters (named {@code path.param}) and
 * sub-layers once; calling the instance runs its {@code forward} with those parameters, so a
 * layer called twice shares its weights, as in Keras and PyTorch.
 */
final class Layers {
    private Layers() {}

    static LayerV instantiate(Evaluator ev, LayerDefV def, String path, List<Value> pos, Map<String, Value> named,
                              ParserRuleContext ctx, SourceFile callerFile) {
        IngotParser.LayerDefContext d = def.def();
        Scope scope = new Scope(ev.globals.get(def.src()));
        if (!def.src().user()) ev.pushFrame(def.name());
        try {
            ev.bindParams(def.name(), d.paramList(), scope, pos, named, ctx, callerFile, def.src());
            for (IngotParser.LayerStmtContext st : d.layerStmt()) {
                if (st instanceof IngotParser.LayerParamContext p) {
                    String name = p.paramDecl().name.getText();
                    ev.defineLocal(scope, name, new Value.TensorV(ev.declareParam(path + "." + name, p.paramDecl(), scope, def.src())), p, def.src());
                } else if (st instanceof IngotParser.LayerBufferContext buf) {
                    String name = buf.bufferDecl().name.getText();
                    ev.defineLocal(scope, name, new Value.TensorV(ev.declareBuffer(path + "." + name, buf.bufferDecl(), scope, def.src())), buf, def.src());
                } else if (st instanceof IngotParser.LayerSubContext sub) {
                    String name = sub.layerInst().name.getText();
                    ev.nameNextLayer(path + "." + name);
                    Value v = ev.eval(sub.layerInst().expr(), scope, def.src());
                    if (!(v instanceof LayerV) && !(v instanceof Value.StackV)) throw ev.error(sub, def.src(), "layer " + name + ": expected a layer like dense(64, 64), got " + v.describe());
                    ev.defineLocal(scope, name, v, sub, def.src());
                } else if (st instanceof IngotParser.LayerFnContext fn) {
                    String name = fn.fnDef().name.getText();
                    ev.defineLocal(scope, name, new Value.FnV(name, fn.fnDef(), def.src(), scope), fn, def.src());
                } else if (st instanceof IngotParser.LayerLetContext let) {
                    ev.defineLocal(scope, let.name.getText(), ev.eval(let.expr(), scope, def.src()), let, def.src());
                }
            }
        } finally {
            if (!def.src().user()) ev.popFrame();
        }
        return new LayerV(path, def, scope, List.copyOf(pos), Map.copyOf(named));
    }

    static Value forward(Evaluator ev, LayerV layer, List<Value> pos, Map<String, Value> named, ParserRuleContext ctx, SourceFile callerFile) {
        IngotParser.ForwardDefContext fwd = layer.def().def().forwardDef();
        Scope scope = new Scope(layer.scope());
        SourceFile src = layer.def().src();
        if (!src.user()) ev.pushFrame(layer.def().name());
        try {
            ev.bindParams(layer.path(), fwd.paramList(), scope, pos, named, ctx, callerFile, src);
        } finally {
            if (!src.user()) ev.popFrame();
        }
        Value r = ev.evalBody(layer.def().name(), fwd.body(), scope, src);
        if (ev.layerCalls != null && r instanceof Value.TensorV t && ev.b == ev.rootBuilder())
            ev.layerCalls.add(new Evaluator.LayerCall(layer.path(), layer.def().name(), t.node()));
        return r;
    }
}
