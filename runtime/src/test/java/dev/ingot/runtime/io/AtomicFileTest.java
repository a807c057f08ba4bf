package dev.ingot.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir Path tmp;

    @Test void theNextWriteRemovesTempFilesOfKilledWrites() throws IOException {
        Path target = tmp.resolve("w.safetensors");
        Path stale1 = Files.writeString(tmp.resolve(".w.safetensors.1f2e3d4c5b6a7980.tmp"), "half a checkpoint");
        Path stale2 = Files.writeString(tmp.resolve(".w.safetensors.abc.tmp"), "another");
        Path otherTarget = Files.writeString(tmp.resolve(".v.safetensors.1f2e3d4c5b6a7980.tmp"), "a write to another file");
        Path notOurs = Files.writeString(tmp.resolve(".w.safetensors.notes.tmp"), "a user's file");
        AtomicFile.writeString(target, "new");
        assertEquals("new", Files.readString(target));
        assertFalse(Files.exists(stale1));
        assertFalse(Files.exists(stale2));
        assertTrue(Files.exists(otherTarget), "only temp files of the same target");
        assertTrue(Files.exists(notOurs), "only the temp-name pattern");
        try (var s = Files.list(tmp)) {
            assertEquals(3, s.count(), "target, the other target's temp file, the user's file");
        }
    }

    @Test void aTempFileInUseByAWriterIsKept() throws IOException {
        Path target = tmp.resolve("w.safetensors");
        Path busy = tmp.resolve(".w.safetensors.0123456789abcdef.tmp");
        try (FileChannel ch = FileChannel.open(busy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.lock();
            AtomicFile.writeString(target, "x");
            assertTrue(Files.exists(busy), "a writer still holds it");
        }
        AtomicFile.writeString(target, "y");
        assertFalse(Files.exists(busy), "released: stale now");
    }

    @Test void checkWritableNamesWhatIsWrong() throws IOException {
        AtomicFile.checkWritable(tmp.resolve("new/dir/ok.json"));
        assertTrue(Files.isDirectory(tmp.resolve("new/dir")));
        try (var s = Files.list(tmp.resolve("new/dir"))) {
            assertEquals(0, s.count(), "the probe is gone");
        }
        IOException dir = assertThrows(IOException.class, () -> AtomicFile.checkWritable(tmp));
        assertTrue(dir.getMessage().contains("is a directory"), dir.getMessage());
        Files.writeString(tmp.resolve("file"), "");
        IOException under = assertThrows(IOException.class, () -> AtomicFile.checkWritable(tmp.resolve("file/x.safetensors")));
        assertTrue(under.getMessage().startsWith("cannot write " + tmp.resolve("file/x.safetensors")), under.getMessage());
        IOException proc = assertThrows(IOException.class, () -> AtomicFile.checkWritable(Path.of("/proc/ck.safetensors")));
        assertTrue(proc.getMessage().startsWith("cannot write /proc/ck.safetensors"), proc.getMessage());
    }
}
