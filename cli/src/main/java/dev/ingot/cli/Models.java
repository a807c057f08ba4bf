package dev.ingot.cli;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.exec.Parallel;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shared steps of the commands: read and compile a model file, set the thread count. */
public final class Models {
    private Models() {}

    /** Reads a model file; a missing file or one not named .ingot is a usage error. */
    public static SourceFile read(Path model) {
        if (!Files.isRegularFile(model)) throw new Errors.UsageException("no such model file: " + model);
        if (!model.getFileName().toString().endsWith(".ingot")) throw new Errors.UsageException(model + " is not an .ingot file");
        return SourceFile.read(model);
    }

    static Compiler.Result compile(Path model, Compiler.Options opt) { return Compiler.compile(read(model), opt); }

    /** Largest --threads (a sanity limit checked here; the pool itself is the runtime's). */
    static final int MAX_THREADS = 256;

    /** Sets the runtime's one thread pool; 0 means all cores. Returns the effective count. */
    static int threads(int requested) {
        if (requested < 0 || requested > MAX_THREADS) throw new Errors.UsageException("--threads must be from 1 to " + MAX_THREADS + ", got " + requested);
        int n = requested == 0 ? Runtime.getRuntime().availableProcessors() : requested;
        Parallel.setThreads(n);
        return n;
    }

    /** Largest --batch: a model's buffers are sized for it up front. */
    static final int MAX_BATCH = 65_536;

    /** Checks a --batch option (0: the model's own). */
    static void checkBatch(int batch) {
        if (batch < 0) throw new Errors.UsageException("--batch must be positive, got " + batch);
        if (batch > MAX_BATCH) throw new Errors.UsageException("--batch " + batch + " is larger than the limit of " + MAX_BATCH);
    }

    /** Checks up front that an output file {@code option} names (may be null) can be written. */
    static void writable(String option, Path file) {
        if (file == null) return;
        try {
            dev.ingot.runtime.io.AtomicFile.checkWritable(file);
        } catch (java.io.IOException e) {
            throw new Errors.UsageException(option + ": " + e.getMessage());
        }
    }

    static String jdk() { return System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"; }
}
