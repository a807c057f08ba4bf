package dev.ingot.compiler.frontend;

import dev.ingot.compiler.frontend.Value.ListV;
import dev.ingot.compiler.frontend.Value.NumV;
import java.util.List;
import java.util.Map;
import org.antlr.v4.runtime.ParserRuleContext;

/**
 * Functions on compile-time values, for writing layers: {@code pair(k)} is {@code [k, k]} for a
 * number and {@code k} itself for a list of two; {@code len(list)} counts a list.
 */
final class MetaFunctions {
    private MetaFunctions() {}

    static final List<String> NAMES = List.of("pair", "len");

    static Value call(Evaluator ev, String name, List<Value> pos, Map<String, Value> named, ParserRuleContext ctx, SourceFile f) {
        Map<String, Value> a = ev.bind(name, List.of("x"), List.of(true), pos, named, ctx, f);
        Value x = a.get("x");
        switch (name) {
            case "pair":
                if (x instanceof NumV n && n.isInt()) return new ListV(List.of(n, n));
                if (x instanceof ListV l && l.items().size() == 2) return l;
                throw ev.error(ctx, f, "pair(): expected a number or a list of two, got " + x.describe());
            case "len":
                if (x instanceof ListV l) return new NumV(l.items().size(), true);
                throw ev.error(ctx, f, "len(): expected a list, got " + x.describe());
            default:
                throw new IllegalStateException(name);
        }
    }
}
