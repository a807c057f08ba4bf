package dev.ingot.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden parse trees (grammars-v4 style): each {@code parse/X.ingot} must parse without errors to
 * the tree in {@code parse/X.ingot.tree}. Run with {@code -Dingot.updateGolden=true} to rewrite the
 * trees, then review the diff.
 */
class GrammarGoldenTest {
    static final Path DIR = Path.of("src/test/resources/parse");

    static Stream<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            List<Path> l = s.filter(p -> p.toString().endsWith(".ingot")).sorted().toList();
            return l.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void parsesToTheGoldenTree(Path file) throws IOException {
        IngotParser p = new IngotParser(new CommonTokenStream(new IngotLexer(CharStreams.fromPath(file))));
        p.removeErrorListeners();
        p.addErrorListener(new BaseErrorListener() {
            @Override public void syntaxError(Recognizer<?, ?> r, Object o, int line, int col, String msg, RecognitionException e) {
                throw new AssertionError(file + ":" + line + ":" + col + ": " + msg);
            }
        });
        String tree = p.file().toStringTree(p).replace(") (", ")\n(") + "\n";
        Path golden = Path.of(file + ".tree");
        if (Boolean.getBoolean("ingot.updateGolden")) Files.writeString(golden, tree);
        if (!Files.exists(golden)) throw new AssertionError(golden + " is missing; create it with -Dingot.updateGolden=true and review it");
        assertEquals(Files.readString(golden), tree);
    }
}
