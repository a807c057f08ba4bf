package dev.ingot.spark;

/**
 * A DataFrame column does not fit the model input it feeds: missing, of the wrong type, null, or
 * with the wrong number of values in a row. The message names the column and the input; it is a
 * user's mistake, reported without a stack trace by the command line.
 */
public final class InputColumnException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InputColumnException(String message) {
        super(message);
    }

    /** The InputColumnException among {@code e} and its causes (Spark wraps a task's failure), or null. */
    public static InputColumnException find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause())
            if (t instanceof InputColumnException ice) return ice;
        return null;
    }
}
