package dev.ingot.compiler.frontend;

import dev.ingot.compiler.ir.SourceLoc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/**
 * A DSL file: its display name (as given on the command line), its directory (for relative data
 * paths), and its text split into lines for error carets and code comments.
 *
 * @param user false for the bundled standard library, whose spans are never shown to users
 */
public record SourceFile(String name, Path dir, String text, String[] lines, boolean user) {
    public static SourceFile of(String name, Path dir, String text, boolean user) {
        return new SourceFile(name, dir, text, text.split("\r?\n", -1), user);
    }

    public static SourceFile read(Path p) {
        try {
            return of(p.toString(), p.toAbsolutePath().getParent(), Files.readString(p), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String line(int line) { return line >= 1 && line <= lines.length ? lines[line - 1] : ""; }

    /** The span of a token. */
    public SourceLoc loc(Token t) {
        int len = t.getStopIndex() >= t.getStartIndex() ? t.getStopIndex() - t.getStartIndex() + 1 : 1;
        return new SourceLoc(name, t.getLine(), t.getCharPositionInLine(), len, line(t.getLine()));
    }

    /** The span of a rule: from its first token to its last token, cut at the end of the first line. */
    public SourceLoc loc(ParserRuleContext c) {
        Token s = c.getStart(), e = c.getStop();
        String text = line(s.getLine());
        int len;
        if (e != null && e.getLine() == s.getLine() && e.getStopIndex() >= s.getStartIndex())
            len = e.getCharPositionInLine() + (e.getStopIndex() - e.getStartIndex() + 1) - s.getCharPositionInLine();
        else len = Math.max(1, text.length() - s.getCharPositionInLine());
        return new SourceLoc(name, s.getLine(), s.getCharPositionInLine(), len, text);
    }
}
