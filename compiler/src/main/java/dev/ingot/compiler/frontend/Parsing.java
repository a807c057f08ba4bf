package dev.ingot.compiler.frontend;

import dev.ingot.compiler.diag.CompileError;
import dev.ingot.compiler.ir.SourceLoc;
import dev.ingot.grammar.IngotLexer;
import dev.ingot.grammar.IngotParser;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Runs the ANTLR parser and turns the first syntax error into a {@link CompileError} that says
 * what was found and what was expected, in words rather than token names.
 */
public final class Parsing {
    private Parsing() {}

    public static IngotParser.FileContext parse(SourceFile src) {
        IngotLexer lexer = new IngotLexer(CharStreams.fromString(src.text(), src.name()));
        lexer.removeErrorListeners();
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        IngotParser parser = new IngotParser(tokens);
        parser.removeErrorListeners();
        Listener l = new Listener(src);
        parser.addErrorListener(l);
        IngotParser.FileContext file = parser.file();
        if (l.error != null) throw l.error;
        return file;
    }

    private static final class Listener extends BaseErrorListener {
        final SourceFile src;
        CompileError error;

        Listener(SourceFile src) { this.src = src; }

        @Override
        public void syntaxError(Recognizer<?, ?> r, Object sym, int line, int col, String msg, RecognitionException e) {
            if (error != null) return;                      // report the first error only: later ones are usually echoes
            Token t = sym instanceof Token tok ? tok : null;
            SourceLoc loc = t != null ? src.loc(t) : new SourceLoc(src.name(), line, col, 1, src.line(line));
            String found = t == null ? "input" : describe(t);
            IntervalSet expected = null;
            if (r instanceof Parser p) {
                try {
                    expected = e != null ? e.getExpectedTokens() : p.getExpectedTokens();
                } catch (RuntimeException ignored) {
                    expected = null;
                }
            }
            String message;
            if (t != null && t.getType() == IngotLexer.ERROR_CHAR) message = "unexpected character " + found;
            else if (e instanceof NoViableAltException || e instanceof InputMismatchException || e == null) message = "unexpected " + found;
            else message = msg;
            error = new CompileError(loc, message, expected == null ? null : expectedWords(expected));
        }
    }

    static String describe(Token t) {
        if (t.getType() == Token.EOF) return "end of file";
        return "'" + t.getText() + "'";
    }

    /** The expected tokens in words: {@code an expression, ')' or ','}. */
    static String expectedWords(IntervalSet set) {
        List<String> words = new ArrayList<>();
        boolean expr = set.contains(IngotLexer.ID) && set.contains(IngotLexer.INT) && set.contains(IngotLexer.LPAREN);
        if (expr) words.add("an expression");
        for (int type : set.toArray()) {
            if (expr && (type == IngotLexer.ID || type == IngotLexer.INT || type == IngotLexer.FLOAT || type == IngotLexer.LPAREN
                    || type == IngotLexer.MINUS || type == IngotLexer.STRING || type == IngotLexer.LBRACK)) continue;
            String w = switch (type) {
                case Token.EOF -> "end of file";
                case IngotLexer.ID -> "a name";
                case IngotLexer.INT -> "an integer";
                case IngotLexer.FLOAT -> "a number";
                case IngotLexer.STRING -> "a string";
                default -> IngotLexer.VOCABULARY.getLiteralName(type);
            };
            if (w != null && !words.contains(w)) words.add(w);
        }
        if (words.size() > 8) return String.join(", ", words.subList(0, 8)) + ", ...";
        if (words.size() <= 1) return String.join("", words);
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }
}
