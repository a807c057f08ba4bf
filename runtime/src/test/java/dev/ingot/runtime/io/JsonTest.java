package dev.ingot.runtime.io;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JsonTest {
    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2, 3.5, 1e3, -0.25E-2, 0], \"b\": {\"c\": null, \"d\": true, \"e\": false}, \"s\": \"x\"}\n");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("a", "b", "s"), List.copyOf(m.keySet()));
        assertEquals(List.of(1L, -2L, 3.5, 1000.0, -0.0025, 0L), m.get("a"));
        Map<?, ?> b = (Map<?, ?>) m.get("b");
        assertTrue(b.containsKey("c"));
        assertNull(b.get("c"));
        assertEquals(true, b.get("d"));
        assertEquals(false, b.get("e"));
        assertEquals("x", m.get("s"));
        assertEquals(List.of(), Json.parse("[]"));
        assertEquals(Map.of(), Json.parse("{ }"));
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(1e19, (Double) Json.parse("10000000000000000000"), 1e4);
    }

    @Test
    void parsesEscapes() {
        assertEquals("a\"b\\c/d\be\ff\ng\rh\ti\u00e9\uD83D\uDE00", Json.parse("\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\\u00E9\\ud83d\\ude00\""));
        assertEquals("héllo ✓", Json.parse("\"héllo ✓\""));
    }

    @Test
    void rejectsMalformedInputWithPosition() {
        assertError("", "line 1, column 1: unexpected end of input, expected a value");
        assertError("{\"a\": 1,}", "line 1, column 9: unexpected '}', expected a string key");
        assertError("{\"a\" 1}", "line 1, column 6: unexpected '1', expected ':'");
        assertError("[1 2]", "line 1, column 4: unexpected '2', expected ',' or ']'");
        assertError("{\"a\": 1\n \"b\": 2}", "line 2, column 2: unexpected '\"', expected ',' or '}'");
        assertError("[1] x", "line 1, column 5: unexpected 'x' after the JSON value");
        assertError("01", "line 1, column 2: unexpected '1' after the JSON value");
        assertError("1.", "expected a digit after '.'");
        assertError("-", "invalid number, expected a digit");
        assertError("1e+", "expected a digit in the exponent");
        assertError("tru", "expected a value");
        assertError("NaN", "unexpected 'N', expected a value");
        assertError("\"abc", "unterminated string");
        assertError("\"a\tb\"", "control character U+0009 in string");
        assertError("\"\\x\"", "invalid escape '\\x'");
        assertError("\"\\u12G4\"", "invalid \\u escape");
        assertError("{\"a\": 1, \"a\": 2}", "line 1, column 10: duplicate key \"a\"");
        assertError("[".repeat(600) + "]".repeat(600), "nesting deeper than 512 levels");
    }

    private static void assertError(String json, String message) {
        Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(json));
        assertTrue(e.getMessage().contains(message), () -> "message '" + e.getMessage() + "' should contain '" + message + "'");
    }

    @Test
    void writesCompactJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("shape", new int[] {784, 128});
        m.put("offsets", new long[] {0, 401408});
        m.put("name", "fc1.w \"quoted\"\n\u0001");
        m.put("f", 0.1f);
        m.put("d", 2.5);
        m.put("whole", 3.0);
        m.put("nan", Double.NaN);
        m.put("none", null);
        m.put("list", List.of(true, false));
        m.put("empty", Map.of());
        assertEquals("{\"shape\":[784,128],\"offsets\":[0,401408],\"name\":\"fc1.w \\\"quoted\\\"\\n\\u0001\",\"f\":0.1,\"d\":2.5,"
                + "\"whole\":3.0,\"nan\":null,\"none\":null,\"list\":[true,false],\"empty\":{}}", Json.write(m));
    }

    @Test
    void writesPrettyJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", 1);
        m.put("shape", List.of(2, 3));
        m.put("history", List.of(Map.of("epoch", 1)));
        assertEquals("{\n  \"a\": 1,\n  \"shape\": [2, 3],\n  \"history\": [\n    {\n      \"epoch\": 1\n    }\n  ]\n}\n", Json.writePretty(m));
    }

    @Test
    void roundTrips() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", "tab\t, quote\", backslash\\, unicode é ✓ \uD83D\uDE00, line sep \u2028");
        m.put("n", -12345678901L);
        m.put("x", 1.0E-7);
        m.put("big", 1.5e300);
        m.put("nested", List.of(List.of(1L, 2L), Map.of("k", "v")));
        assertEquals(m, Json.parse(Json.write(m)));
        assertEquals(m, Json.parse(Json.writePretty(m)));
        assertEquals(Arrays.asList(1L, null, "s"), Json.parse(Json.write(Arrays.asList(1, null, "s"))));
    }

    @Test
    void refusesUnknownTypes() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }
}
