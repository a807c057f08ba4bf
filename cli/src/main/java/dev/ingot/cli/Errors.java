package dev.ingot.cli;

import dev.ingot.compiler.diag.CompileError;
import dev.ingot.runtime.io.DataFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * Turns exceptions into messages and exit codes: a user's mistake (a DSL error, a bad data file, a
 * missing file, a bad option value) is one clear message without a stack trace; anything else is
 * an internal error and keeps its stack trace, since it is ours to fix.
 */
public final class Errors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parse) {
        var err = cl.getErr();
        Throwable e = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        if (e instanceof CompileError ce) {
            err.println(ce.render());
            return Main.USAGE_ERROR;
        }
        if (e instanceof UsageException ue) {
            err.println("error: " + ue.getMessage());
            return Main.USAGE_ERROR;
        }
        if (e instanceof NoSuchFileException nf) {
            err.println("error: no such file: " + nf.getFile());
            return Main.RUNTIME_ERROR;
        }
        if (e instanceof DataFormatException || e instanceof IOException || e instanceof IllegalArgumentException
                || e instanceof dev.ingot.runtime.train.DivergedException) {
            err.println("error: " + e.getMessage());
            return Main.RUNTIME_ERROR;
        }
        err.println("internal error (please report it with the model file):");
        e.printStackTrace(err);
        return Main.RUNTIME_ERROR;
    }

    /** A bad combination of options or a missing model file: exit code 2. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String msg) { super(msg, null, false, false); }
    }
}
