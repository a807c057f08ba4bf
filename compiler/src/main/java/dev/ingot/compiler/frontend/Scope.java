package dev.ingot.compiler.frontend;

import dev.ingot.compiler.ir.SourceLoc;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** A lexical scope: names bound to values (and where they were defined), with a parent. */
public final class Scope {
    private final Scope parent;
    private final Map<String, Value> values = new LinkedHashMap<>();
    private final Map<String, SourceLoc> where = new LinkedHashMap<>();

    public Scope(Scope parent) { this.parent = parent; }

    public Value lookup(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            Value v = s.values.get(name);
            if (v != null) return v;
        }
        return null;
    }

    /** The value bound in this scope only. */
    public Value local(String name) { return values.get(name); }

    public SourceLoc definedAt(String name) { return where.get(name); }

    public void define(String name, Value v, SourceLoc loc) {
        values.put(name, v);
        where.put(name, loc);
    }

    /** Every visible name (for "did you mean"). */
    public Set<String> names() {
        Set<String> r = new LinkedHashSet<>();
        for (Scope s = this; s != null; s = s.parent) r.addAll(s.values.keySet());
        return r;
    }

    public Map<String, Value> locals() { return values; }
}
