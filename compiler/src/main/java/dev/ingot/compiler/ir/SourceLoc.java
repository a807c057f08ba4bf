package dev.ingot.compiler.ir;

/**
 * A span in a DSL file: 1-based line, 0-based column, the length of the span on that line, and the
 * text of the whole line (for error carets and for comments in generated code).
 */
public record SourceLoc(String file, int line, int col, int length, String lineText) {
    public static final SourceLoc NONE = new SourceLoc("<none>", 0, 0, 0, "");

    /** {@code file:line:col} with a 1-based column, as editors expect. */
    public String where() { return file + ":" + line + ":" + (col + 1); }

    /** {@code file:line} (file name without directories), for comments. */
    public String shortWhere() {
        String f = file;
        int s = Math.max(f.lastIndexOf('/'), f.lastIndexOf('\\'));
        return f.substring(s + 1) + ":" + line;
    }
}
