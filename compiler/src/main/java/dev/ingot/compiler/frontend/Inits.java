package dev.ingot.compiler.frontend;

import dev.ingot.compiler.frontend.Value.InitV;
import dev.ingot.compiler.frontend.Value.NumV;
import dev.ingot.compiler.ir.Attrs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.antlr.v4.runtime.ParserRuleContext;

/**
 * Parameter initializers, by DSL name, with their parameters and defaults (Keras' where Keras has
 * them). Fan-in and fan-out come from the parameter's shape at code generation:
 * rank 2 {@code [in, out]}; rank 1 both the size; rank >= 3 (PyTorch conv layout {@code [out, in, k...]})
 * {@code in * k...} and {@code out * k...}.
 */
final class Inits {
    private Inits() {}

    static final Map<String, Map<String, Double>> SIGNATURES = new LinkedHashMap<>();
    static {
        SIGNATURES.put("zeros", Map.of());
        SIGNATURES.put("ones", Map.of());
        SIGNATURES.put("constant", mapOf("value", null));
        SIGNATURES.put("normal", mapOf("std", 0.05, "mean", 0.0));
        SIGNATURES.put("uniform", mapOf("lo", -0.05, "hi", 0.05));
        SIGNATURES.put("glorot_uniform", Map.of());
        SIGNATURES.put("glorot_normal", Map.of());
        SIGNATURES.put("he_normal", Map.of());
        SIGNATURES.put("he_uniform", Map.of());
        SIGNATURES.put("lecun_normal", Map.of());
    }
    static final List<String> NAMES = List.copyOf(SIGNATURES.keySet());

    private static Map<String, Double> mapOf(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Double) kv[i + 1]);
        return m;
    }

    /** The bare name as a value: an initializer with its defaults (or needing arguments, for constant). */
    static InitV bare(String name) {
        Map<String, Double> args = new LinkedHashMap<>();
        SIGNATURES.get(name).forEach((k, v) -> { if (v != null) args.put(k, v); });
        return new InitV(name, args);
    }

    /** {@code normal(std=0.02)}: binds arguments to the initializer's parameters. */
    static Value configure(Evaluator ev, InitV init, List<Value> pos, Map<String, Value> named, ParserRuleContext ctx, SourceFile f) {
        // zeros([batch, 64]) and ones([...]) with a shape are tensors, as in PyTorch; bare, they are initializers
        if ((init.kind().equals("zeros") || init.kind().equals("ones")) && pos.size() == 1 && named.isEmpty() && pos.get(0) instanceof Value.ListV l) {
            int[] dims = ev.shapeDims(l.items(), ctx, f, init.kind() + "()", false);
            dev.ingot.compiler.ir.GraphBuilder b = ev.b;
            return new Value.TensorV(b.broadcastTo(init.kind().equals("zeros") ? b.zero() : b.one(), new dev.ingot.compiler.ir.Shape(dims)));
        }
        Map<String, Double> sig = SIGNATURES.get(init.kind());
        List<String> names = new ArrayList<>(sig.keySet());
        List<Boolean> req = new ArrayList<>();
        for (String n : names) req.add(sig.get(n) == null);
        Map<String, Value> bound = ev.bind(init.kind(), names, req, pos, named, ctx, f);
        Map<String, Double> args = new LinkedHashMap<>(init.args());
        for (var e : bound.entrySet()) {
            if (!(e.getValue() instanceof NumV n)) throw ev.error(ctx, f, init.kind() + "(): argument '" + e.getKey() + "' must be a number, got " + e.getValue().describe());
            args.put(e.getKey(), n.v());
        }
        return new InitV(init.kind(), args);
    }

    static Attrs attrs(InitV init) {
        Attrs a = Attrs.of("kind", init.kind());
        for (var e : init.args().entrySet()) a = a.with(e.getKey(), e.getValue());
        return a;
    }
}
