package dev.ingot.compiler.frontend;

import dev.ingot.compiler.diag.CompileError;
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

    /** Reads a UTF-8 model file; bytes that are not UTF-8 are a DSL error at their line and column. */
    public static SourceFile read(Path p) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            String text = java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            return of(p.toString(), p.toAbsolutePath().getParent(), text, true);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw notUtf8(p.toString(), bytes);
        }
    }

    /** The error for the first byte of {@code bytes} that is not UTF-8, at its line and column. */
    private static CompileError notUtf8(String name, byte[] bytes) {
        var dec = java.nio.charset.StandardCharsets.UTF_8.newDecoder();
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        dec.decode(in, out, true); // stops at the first malformed byte: in.position() is its offset
        int bad = in.position();
        String before = out.flip().toString();
        int lineStart = before.lastIndexOf('\n') + 1, line = 1;
        for (int i = 0; i < lineStart; i++) if (before.charAt(i) == '\n') line++;
        String head = before.substring(lineStart);
        int end = bad;
        while (end < bytes.length && bytes[end] != '\n') end++;
        String lineText = head + new String(bytes, bad, end - bad, java.nio.charset.StandardCharsets.UTF_8);
        return new CompileError(new SourceLoc(name, line, head.length(), 1, lineText),
                String.format("the file is not valid UTF-8: byte 0x%02X at offset %d", bytes[bad] & 0xFF, bad), "a model file saved as UTF-8 text");
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
