package dev.ingot.runtime.io;

/**
 * A user-facing error about input the user supplied: a data file, a checkpoint, or data that does
 * not fit the model. The message is one line, names the file (or field) and says what is wrong,
 * e.g. {@code data/mnist/train-images-idx3-ubyte.gz: truncated: expected 47040016 bytes, got 1234}.
 * Front ends print {@link #getMessage()} alone, without a stack trace.
 */
public class DataFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataFormatException(String message) {
        super(message);
    }

    public DataFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
