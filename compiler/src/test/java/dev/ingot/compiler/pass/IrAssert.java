package dev.ingot.compiler.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.IrParser;
import dev.ingot.compiler.ir.IrPrinter;

/** Compares graphs structurally: both printed after renumbering, without provenance comments. */
final class IrAssert {
    private IrAssert() {}

    static String canonical(Graph g) {
        StringBuilder sb = new StringBuilder();
        for (String line : IrPrinter.print(g).split("\n")) sb.append(line.replaceAll("\\s+#.*$", "").stripTrailing()).append('\n');
        return sb.toString();
    }

    static void assertIrEquals(String expected, Graph actual) {
        assertEquals(canonical(IrParser.parse(expected)), canonical(actual));
    }
}
