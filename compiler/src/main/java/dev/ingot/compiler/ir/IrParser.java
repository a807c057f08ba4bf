package dev.ingot.compiler.ir;

import dev.ingot.compiler.ops.Op;
import dev.ingot.compiler.ops.Ops;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the text form written by {@link IrPrinter}, so pass tests can state their before and
 * expected graphs as text. Comments ({@code # ...}) are ignored. Return values may be named
 * ({@code return loss=%5}) or not ({@code return %5}, named {@code out0}, ...).
 */
public final class IrParser {
    private IrParser() {}

    private static final Pattern HEADER = Pattern.compile("\\s*graph\\s+([\\w.]+)\\s*\\((.*)\\)\\s*\\{\\s*");
    private static final Pattern NODE = Pattern.compile("\\s*%([\\w.]+)\\s*:\\s*(\\w+\\[[^]]*])\\s*=\\s*(\\w+)((?:\\s+%[\\w.]+)*)\\s*(\\{.*})?\\s*");
    /** Attribute keys whose numbers are doubles even when written without a point. */
    private static final List<String> DOUBLE_KEYS = List.of("value", "exponent", "initial", "values");

    public static Graph parse(String text) { return parse(text, new GraphBuilder()); }

    public static Graph parse(String text, GraphBuilder b) {
        Map<String, Node> env = new HashMap<>();
        List<Graph.Output> outs = new ArrayList<>();
        List<Graph.Update> ups = new ArrayList<>();
        String name = null;
        for (String raw : text.split("\n")) {
            String line = raw.replaceAll("#.*$", "").strip();
            if (line.isEmpty() || line.equals("}")) continue;
            Matcher h = HEADER.matcher(line);
            if (name == null) {
                if (!h.matches()) throw new IllegalArgumentException("expected 'graph name(...) {', got: " + line);
                name = h.group(1);
                for (String decl : splitTop(h.group(2))) {
                    if (decl.isBlank()) continue;
                    String[] parts = decl.strip().split("\\s*:\\s*|\\s+");
                    String leaf = parts[0];
                    TensorType t = type(parts[1]);
                    String kind = parts.length > 2 ? parts[2] : "input";
                    env.put(leaf, switch (kind) {
                        case "param" -> b.param(leaf, t, Attrs.NONE);
                        case "state" -> b.state(leaf, t, 0);
                        default -> b.input(leaf, t, "input");
                    });
                }
                continue;
            }
            if (line.startsWith("return")) {
                int i = 0;
                for (String r : line.substring(6).split(",")) {
                    r = r.strip();
                    if (r.isEmpty()) continue;
                    String on = "out" + i++;
                    if (r.contains("=")) {
                        on = r.substring(0, r.indexOf('=')).strip();
                        r = r.substring(r.indexOf('=') + 1).strip();
                    }
                    outs.add(new Graph.Output(on, ref(env, r)));
                }
                continue;
            }
            if (line.startsWith("update")) {
                String[] p = line.substring(6).split("<-");
                ups.add(new Graph.Update(ref(env, p[0].strip()), ref(env, p[1].strip())));
                continue;
            }
            Matcher m = NODE.matcher(line);
            if (!m.matches()) throw new IllegalArgumentException("cannot parse IR line: " + line);
            Op op = Ops.byName(m.group(3));
            if (op == null) throw new IllegalArgumentException("unknown op '" + m.group(3) + "' in: " + line);
            List<Node> ins = new ArrayList<>();
            for (String r : m.group(4).strip().split("\\s+")) if (!r.isEmpty()) ins.add(ref(env, r));
            Attrs attrs = m.group(5) == null ? Attrs.NONE : attrs(m.group(5));
            Node n = b.node(op, ins, attrs);
            if (!n.type().equals(type(m.group(2))))
                throw new IllegalArgumentException("declared type " + m.group(2) + " but inferred " + n.type() + " in: " + line);
            env.put(m.group(1), n);
        }
        return new Graph(name, outs, ups);
    }

    private static Node ref(Map<String, Node> env, String r) {
        Node n = env.get(r.startsWith("%") ? r.substring(1) : r);
        if (n == null) throw new IllegalArgumentException("undefined value " + r);
        return n;
    }

    /** {@code f32[B,784]}, {@code i32[64B]}, {@code f32[]}. */
    public static TensorType type(String s) {
        int lb = s.indexOf('[');
        DType dt = DType.parse(s.substring(0, lb));
        String body = s.substring(lb + 1, s.length() - 1).strip();
        if (body.isEmpty()) return new TensorType(dt, Shape.SCALAR);
        String[] ds = body.split(",");
        int[] dims = new int[ds.length];
        for (int i = 0; i < ds.length; i++) {
            String d = ds[i].strip();
            dims[i] = d.endsWith("B") ? -(d.length() == 1 ? 1 : Integer.parseInt(d.substring(0, d.length() - 1))) : Integer.parseInt(d);
        }
        return new TensorType(dt, new Shape(dims));
    }

    private static Attrs attrs(String s) {
        Map<String, Object> m = new TreeMap<>();
        for (String kv : splitTop(s.substring(1, s.length() - 1))) {
            if (kv.isBlank()) continue;
            int eq = kv.indexOf('=');
            String k = kv.substring(0, eq).strip();
            m.put(k, value(kv.substring(eq + 1).strip(), DOUBLE_KEYS.contains(k)));
        }
        return new Attrs(m);
    }

    private static Object value(String v, boolean asDouble) {
        if (v.equals("true") || v.equals("false")) return Boolean.parseBoolean(v);
        if (v.startsWith("\"")) return v.substring(1, v.length() - 1);
        if (v.startsWith("[")) {
            List<Object> l = new ArrayList<>();
            for (String e : v.substring(1, v.length() - 1).split(",")) if (!e.isBlank()) l.add(value(e.strip(), asDouble));
            return l;
        }
        if (asDouble || v.contains(".") || v.contains("e") || v.contains("Infinity") || v.contains("NaN")) return Double.parseDouble(v);
        return Integer.parseInt(v);
    }

    /** Splits on commas that are not inside brackets or braces. */
    private static List<String> splitTop(String s) {
        List<String> r = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[' || c == '{') depth++;
            else if (c == ']' || c == '}') depth--;
            else if (c == ',' && depth == 0) {
                r.add(s.substring(start, i));
                start = i + 1;
            }
        }
        r.add(s.substring(start));
        return r;
    }
}
