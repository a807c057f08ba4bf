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
        sb.append("error: ").append(getMessage());
        if (loc != SourceLoc.NONE && loc.lineText() != null && !loc.lineText().isEmpty()) {
            String text = loc.lineText().replace('\t', ' ');
            sb.append("\n    ").append(text).append("\n    ");
            sb.append(" ".repeat(Math.min(loc.col(), text.length())));
            int len = Math.max(1, Math.min(loc.length(), Math.max(1, text.length() - loc.col())));
            sb.append("^".repeat(len));
        }
        if (expected != null && !expected.isEmpty()) sb.append("\n    expected: ").append(expected);
        return sb.toString();
    }
}
