package dev.ingot.compiler.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Static attributes of an op (axes, exponent, names, constant values), a value with structural
 * equality so it can be part of a node's interning key. Values are {@code Integer}, {@code Double},
 * {@code Boolean}, {@code String} or {@code List<Integer>}/{@code List<Double>} (arrays are stored
 * as lists so equality is by content).
 */
public record Attrs(Map<String, Object> map) {
    public static final Attrs NONE = new Attrs(Map.of());

    public Attrs {
        map = Collections.unmodifiableMap(new TreeMap<>(map));
    }

    /** Builds attrs from alternating key/value pairs; {@code int[]} and {@code double[]} become lists. */
    public static Attrs of(Object... kv) {
        Map<String, Object> m = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], normalize(kv[i + 1]));
        return new Attrs(m);
    }

    public Attrs with(String key, Object value) {
        Map<String, Object> m = new TreeMap<>(map);
        m.put(key, normalize(value));
        return new Attrs(m);
    }

    private static Object normalize(Object v) {
        if (v instanceof int[] a) return Arrays.stream(a).boxed().toList();
        if (v instanceof double[] a) return Arrays.stream(a).boxed().toList();
        if (v instanceof Long l) return Math.toIntExact(l);
        if (v instanceof Float f) return f.doubleValue();
        if (v instanceof List<?> l) return List.copyOf(l);
        return v;
    }

    public boolean has(String k) { return map.containsKey(k); }
    public int i(String k) { return (Integer) map.get(k); }
    public double d(String k) { return ((Number) map.get(k)).doubleValue(); }
    public boolean b(String k) { return Boolean.TRUE.equals(map.get(k)); }
    public String s(String k) { return (String) map.get(k); }

    public int[] ints(String k) {
        @SuppressWarnings("unchecked") List<Integer> l = (List<Integer>) map.get(k);
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    public double[] doubles(String k) {
        @SuppressWarnings("unchecked") List<Number> l = (List<Number>) map.get(k);
        return l.stream().mapToDouble(Number::doubleValue).toArray();
    }

    public boolean isEmpty() { return map.isEmpty(); }

    /** IR text form: {@code {axes=[1], keepdims=true}}; long constant arrays are abbreviated. */
    @Override public String toString() {
        if (map.isEmpty()) return "";
        List<String> parts = new ArrayList<>();
        map.forEach((k, v) -> {
            String s;
            if (v instanceof List<?> l && l.size() > 8) s = "[" + l.size() + " values]";
            else if (v instanceof List<?> l) s = l.toString().replace(" ", "");
            else if (v instanceof String str) s = "\"" + str + "\"";
            else s = String.valueOf(v);
            parts.add(k + "=" + s);
        });
        return "{" + String.join(", ", parts) + "}";
    }
}
