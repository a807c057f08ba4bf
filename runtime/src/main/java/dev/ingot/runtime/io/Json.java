package dev.ingot.runtime.io;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON (RFC 8259) parser and writer, enough for safetensors headers and metrics
 * files.
 *
 * <p>Parsing maps objects to {@link LinkedHashMap} (key order kept), arrays to {@link List},
 * strings to {@link String}, {@code true/false} to {@link Boolean}, {@code null} to null, and
 * numbers to {@link Long} when written without fraction or exponent and within range, otherwise
 * to {@link Double}. Malformed input throws {@link ParseException} with the position.
 *
 * <p>Writing accepts maps (keys via {@code toString}), collections, Java arrays, strings,
 * numbers, booleans, null and enums.
 */
public final class Json {
    private Json() {}

    /** Nesting limit; deeper documents are rejected instead of overflowing the stack. */
    public static final int MAX_DEPTH = 512;

    /** Malformed JSON; the message gives the line, column and what was expected. */
    public static final class ParseException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final int offset;

        ParseException(String message, int offset) {
            super(message);
            this.offset = offset;
        }

        /** Character offset of the error in the input. */
        public int offset() { return offset; }
    }

    /** Parses one JSON value; only whitespace may follow it. */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.skipWhitespace();
        Object v = p.value(0);
        p.skipWhitespace();
        if (p.pos < text.length()) throw p.error("unexpected " + p.describe() + " after the JSON value");
        return v;
    }

    /** Compact JSON: no whitespace at all (as in safetensors headers). */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, -1, 0);
        return sb.toString();
    }

    /** Pretty JSON with 2-space indentation and a trailing newline. NOTE: arrays holding only
     *  scalars stay on one line ({@code "shape": [784, 128]}), which keeps metrics files readable. */
    public static String writePretty(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 2, 0);
        return sb.append('\n').toString();
    }

    /** Appends {@code s} as a JSON string literal, with quotes. */
    public static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    private static void write(StringBuilder sb, Object v, int indent, int level) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer || v instanceof Short
                || v instanceof Byte || v instanceof java.math.BigInteger || v instanceof java.math.BigDecimal) {
            sb.append(v);
        } else if (v instanceof Float f) {
            // NOTE: via Float.toString so 0.1f is written as 0.1, not 0.10000000149011612.
            writeDouble(sb, f.isNaN() || f.isInfinite() ? f.doubleValue() : Double.parseDouble(Float.toString(f)));
        } else if (v instanceof Number n) {
            writeDouble(sb, n.doubleValue());
        } else if (v instanceof Enum<?> e) {
            quote(sb, e.name());
        } else if (v instanceof Map<?, ?> m) {
            writeObject(sb, m, indent, level);
        } else if (v instanceof Collection<?> c) {
            writeArray(sb, new ArrayList<>(c), indent, level);
        } else if (v.getClass().isArray()) {
            int n = Array.getLength(v);
            List<Object> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) list.add(Array.get(v, i));
            writeArray(sb, list, indent, level);
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
        }
    }

    /** NOTE: JSON has no NaN or infinity; they are written as null (as JavaScript's JSON.stringify does). */
    private static void writeDouble(StringBuilder sb, double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) sb.append("null");
        else if (d == Math.rint(d) && Math.abs(d) < 1e15) sb.append((long) d).append(".0");
        else sb.append(d);
    }

    private static void writeObject(StringBuilder sb, Map<?, ?> m, int indent, int level) {
        if (m.isEmpty()) {
            sb.append("{}");
            return;
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!first) sb.append(',');
            first = false;
            newline(sb, indent, level + 1);
            quote(sb, String.valueOf(e.getKey()));
            sb.append(indent >= 0 ? ": " : ":");
            write(sb, e.getValue(), indent, level + 1);
        }
        newline(sb, indent, level);
        sb.append('}');
    }

    private static void writeArray(StringBuilder sb, List<Object> list, int indent, int level) {
        boolean inline = indent < 0 || list.stream().noneMatch(x -> x instanceof Map || x instanceof Collection
                || (x != null && x.getClass().isArray()));
        sb.append('[');
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) sb.append(inline && indent >= 0 ? ", " : ",");
            if (!inline) newline(sb, indent, level + 1);
            write(sb, list.get(i), indent, level + 1);
        }
        if (!inline && !list.isEmpty()) newline(sb, indent, level);
        sb.append(']');
    }

    private static void newline(StringBuilder sb, int indent, int level) {
        if (indent < 0) return;
        sb.append('\n');
        sb.append(" ".repeat(indent * level));
    }

    /** Recursive-descent parser over a string. */
    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) { this.s = s; }

        Object value(int depth) {
            if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels");
            if (pos >= s.length()) throw error("unexpected end of input, expected a value");
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) yield number();
                    throw error("unexpected " + describe() + ", expected a value");
                }
            };
        }

        Map<String, Object> object(int depth) {
            Map<String, Object> m = new LinkedHashMap<>();
            pos++; // '{'
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return m;
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') throw error("unexpected " + describe() + ", expected a string key");
                int keyPos = pos;
                String key = string();
                skipWhitespace();
                expect(':');
                skipWhitespace();
                Object v = value(depth + 1);
                if (m.containsKey(key)) {
                    pos = keyPos;
                    throw error("duplicate key \"" + key + "\"");
                }
                m.put(key, v);
                skipWhitespace();
                char c = peek();
                pos++;
                if (c == '}') return m;
                if (c != ',') {
                    pos--;
                    throw error("unexpected " + describe() + ", expected ',' or '}'");
                }
            }
        }

        List<Object> array(int depth) {
            List<Object> list = new ArrayList<>();
            pos++; // '['
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                skipWhitespace();
                list.add(value(depth + 1));
                skipWhitespace();
                char c = peek();
                pos++;
                if (c == ']') return list;
                if (c != ',') {
                    pos--;
                    throw error("unexpected " + describe() + ", expected ',' or ']'");
                }
            }
        }

        String string() {
            pos++; // opening quote
            StringBuilder sb = null;
            int start = pos;
            while (true) {
                if (pos >= s.length()) throw error("unterminated string");
                char c = s.charAt(pos);
                if (c == '"') {
                    String r = sb == null ? s.substring(start, pos) : sb.append(s, start, pos).toString();
                    pos++;
                    return r;
                }
                if (c < 0x20) throw error("control character U+" + String.format("%04X", (int) c) + " in string");
                if (c == '\\') {
                    if (sb == null) sb = new StringBuilder();
                    sb.append(s, start, pos);
                    pos++;
                    if (pos >= s.length()) throw error("unterminated string");
                    char e = s.charAt(pos++);
                    switch (e) {
                        case '"', '\\', '/' -> sb.append(e);
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'n' -> sb.append('\n');
                        case 'r' -> sb.append('\r');
                        case 't' -> sb.append('\t');
                        case 'u' -> sb.append(hex4());
                        default -> {
                            pos--;
                            throw error("invalid escape '\\" + e + "'");
                        }
                    }
                    start = pos;
                } else {
                    pos++;
                }
            }
        }

        /** Four hex digits; lone or mismatched surrogates are passed through as Java chars. */
        char hex4() {
            if (pos + 4 > s.length()) throw error("truncated \\u escape");
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(s.charAt(pos + i), 16);
                if (d < 0) throw error("invalid \\u escape");
                v = v * 16 + d;
            }
            pos += 4;
            return (char) v;
        }

        Object number() {
            int start = pos;
            boolean integral = true;
            if (peek() == '-') pos++;
            if (peek() == '0') {
                pos++;
            } else if (isDigit(peek())) {
                while (isDigit(peek())) pos++;
            } else {
                throw error("invalid number, expected a digit");
            }
            if (peek() == '.') {
                integral = false;
                pos++;
                if (!isDigit(peek())) throw error("invalid number, expected a digit after '.'");
                while (isDigit(peek())) pos++;
            }
            if (peek() == 'e' || peek() == 'E') {
                integral = false;
                pos++;
                if (peek() == '+' || peek() == '-') pos++;
                if (!isDigit(peek())) throw error("invalid number, expected a digit in the exponent");
                while (isDigit(peek())) pos++;
            }
            String t = s.substring(start, pos);
            if (integral) {
                try {
                    return Long.parseLong(t);
                } catch (NumberFormatException e) {
                    // NOTE: integers beyond the long range become doubles (precision is lost, as in JavaScript)
                }
            }
            return Double.parseDouble(t);
        }

        Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) throw error("unexpected " + describe() + ", expected a value");
            pos += word.length();
            return v;
        }

        void expect(char c) {
            if (peek() != c) throw error("unexpected " + describe() + ", expected '" + c + "'");
            pos++;
        }

        char peek() { return pos < s.length() ? s.charAt(pos) : '\0'; }

        static boolean isDigit(char c) { return c >= '0' && c <= '9'; }

        void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
                pos++;
            }
        }

        String describe() {
            if (pos >= s.length()) return "end of input";
            char c = s.charAt(pos);
            return c < 0x20 || c > 0x7e ? String.format("character U+%04X", (int) c) : "'" + c + "'";
        }

        ParseException error(String what) {
            int line = 1, col = 1;
            for (int i = 0; i < Math.min(pos, s.length()); i++) {
                if (s.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            return new ParseException("line " + line + ", column " + col + ": " + what, pos);
        }
    }
}
