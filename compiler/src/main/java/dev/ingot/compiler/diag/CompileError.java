package dev.ingot.compiler.diag;

import dev.ingot.compiler.ir.SourceLoc;

/**
 * A user's mistake in a DSL file: where it is, what is wrong, and what was expected. Rendered as
 * <pre>
 * mnist_mlp.ingot:7:12: error: matmul: [batch, 784] @ [256, 10]: inner dimensions 784 and 256 differ
 *     logits = x @ w
 *              ^^^^^
 * </pre>
 * It is never shown with a stack trace.
 */
public class CompileError extends RuntimeException {
    /** Widest source line shown under an error. */
    static final int MAX_WIDTH = 160;

    private final SourceLoc loc;
    private final String expected;

    public CompileError(SourceLoc loc, String message, String expected) {
        super(message, null, false, false);
        this.loc = loc == null ? SourceLoc.NONE : loc;
        this.expected = expected;
    }

    public CompileError(SourceLoc loc, String message) { this(loc, message, null); }

    public SourceLoc loc() { return loc; }
    public String expected() { return expected; }

    /** The full report: location, message, the source line, a caret under the span, the expectation. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        if (loc != SourceLoc.NONE) sb.append(loc.where()).append(": ");
        String msg = getMessage();
        sb.append("error: ").append(msg.length() <= 4 * MAX_WIDTH ? msg : msg.substring(0, 4 * MAX_WIDTH) + "... (" + msg.length() + " characters)");
        if (loc != SourceLoc.NONE && loc.lineText() != null && !loc.lineText().isEmpty()) {
            // tabs as spaces, other control characters (a binary file) as '?': one column each, so the caret stays put
            String text = loc.lineText().replace('\t', ' ').replaceAll("\\p{Cntrl}", "?");
            int col = Math.min(loc.col(), text.length());
            // a very long line (a minified or binary file) is shown as a window around the column
            int from = text.length() <= MAX_WIDTH ? 0 : Math.max(0, Math.min(col - MAX_WIDTH / 4, text.length() - MAX_WIDTH));
            int to = Math.min(text.length(), from + MAX_WIDTH);
            String shown = (from > 0 ? "..." : "") + text.substring(from, to) + (to < text.length() ? "..." : "");
            col = col - from + (from > 0 ? 3 : 0);
            sb.append("\n    ").append(shown).append("\n    ");
            sb.append(" ".repeat(col));
            int len = Math.max(1, Math.min(loc.length(), Math.max(1, (to - from) + (from > 0 ? 3 : 0) - col)));
            sb.append("^".repeat(len));
        }
        if (expected != null && !expected.isEmpty()) sb.append("\n    expected: ").append(expected);
        return sb.toString();
    }
}
