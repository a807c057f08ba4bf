package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Binds positional tensors and named values to a builtin's signature, applying defaults (tests only). */
public final class TestArgs implements Builtin.Args {
    private final Map<String, Object> values = new HashMap<>();

    public static TestArgs bind(Builtin fn, List<Node> tensors, Map<String, Object> named) {
        TestArgs a = new TestArgs();
        int t = 0;
        for (Builtin.Param p : fn.signature().params()) {
            if (p.kind() == Builtin.Kind.TENSOR && t < tensors.size()) a.values.put(p.name(), tensors.get(t++));
            else if (named.containsKey(p.name())) a.values.put(p.name(), named.get(p.name()));
            else if (p.def() != null && p.def() != Builtin.NONE) a.values.put(p.name(), p.def());
        }
        return a;
    }

    public Node tensor(String n) { return (Node) values.get(n); }
    public boolean has(String n) { return values.containsKey(n); }
    public int i(String n) { return ((Number) values.get(n)).intValue(); }
    public int[] ints(String n) { Object v = values.get(n); return v instanceof int[] a ? a : new int[] {((Number) v).intValue()}; }
    public double d(String n) { return ((Number) values.get(n)).doubleValue(); }
    public boolean b(String n) { return (Boolean) values.get(n); }
    public String s(String n) { return (String) values.get(n); }
    public int[] shape(String n) { return (int[]) values.get(n); }
    @SuppressWarnings("unchecked") public List<Node> tensors(String n) { return (List<Node>) values.get(n); }
    public Object raw(String n) { Object v = values.get(n); return v instanceof Integer i ? new int[] {i} : v; }
}
