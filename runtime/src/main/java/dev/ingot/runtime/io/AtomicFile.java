package dev.ingot.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file atomically: the content goes to a temporary file in the same directory, which is
 * flushed to disk ({@code fsync}) and then renamed over the target. Readers see either the old
 * file or the complete new one, never a half-written file, even if the process dies mid-write.
 * A temporary file left by a killed process is removed by the next write to the same target.
 */
public final class AtomicFile {
    private AtomicFile() {}

    /** Produces the content of the file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    /** Writes {@code content} to {@code target} atomically, replacing any existing file. */
    public static void write(Path target, Content content) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        // NOTE: not Files.createTempFile: that creates the file with mode 0600, and the rename would
        // give the final file those permissions. CREATE_NEW applies the usual umask instead.
        removeStale(abs);
        Path tmp = tempFor(abs);
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.lock(); // held while writing: marks the file as in use for removeStale (released on close)
                content.writeTo(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // NOTE: same directory, so this only happens on exotic file systems; a plain replace
                // still never exposes a partially written file under the target name.
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
            syncDirectory(dir);
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }

    /**
     * Checks, before any long work, that {@link #write} will be able to write {@code target}: its
     * directory exists or can be created, a file can be created in it, and the target is not a
     * directory. Throws an {@link IOException} saying what is wrong.
     */
    public static void checkWritable(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        if (Files.isDirectory(abs)) throw new IOException(target + " is a directory");
        Path dir = abs.getParent();
        try {
            if (dir != null) Files.createDirectories(dir);
            Path probe = tempFor(abs);
            Files.newByteChannel(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
            Files.delete(probe);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.NoSuchFileException ? "cannot create files"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : e.getClass().getSimpleName();
            throw new IOException("cannot write " + target + " (" + why + " in " + (dir == null ? "." : dir) + ")");
        }
    }

    /** A fresh temporary name beside the target: {@code .NAME.HEX.tmp}. */
    private static Path tempFor(Path abs) {
        String tmpName = "." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp";
        return abs.getParent() == null ? Path.of(tmpName) : abs.getParent().resolve(tmpName);
    }

    /**
     * Deletes temporary files that writes to {@code abs} left behind when their process was killed
     * (same {@code .NAME.HEX.tmp} pattern, not locked by a writer still running). Best effort.
     */
    static void removeStale(Path abs) {
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) return;
        String prefix = "." + abs.getFileName() + ".";
        try (var files = Files.newDirectoryStream(dir, f -> {
            String n = f.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(".tmp") && n.substring(prefix.length(), n.length() - 4).matches("[0-9a-f]{1,16}");
        })) {
            for (Path f : files) {
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    if (ch.tryLock() != null) Files.deleteIfExists(f);
                } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
                    // in use by a writer of this JVM, or not ours to delete: leave it
                }
            }
        } catch (IOException e) {
            // best effort: an unreadable directory fails the write itself with a clear message
        }
    }

    /** Writes {@code text} as UTF-8 to {@code target} atomically. */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    /** Writes all remaining bytes of {@code buf} to {@code ch}. */
    public static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    /** Makes the rename durable. Best effort: not every platform can open a directory (Windows cannot). */
    private static void syncDirectory(Path dir) {
        if (dir == null) return;
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // ignored: the data itself is already on disk
        }
    }
}
