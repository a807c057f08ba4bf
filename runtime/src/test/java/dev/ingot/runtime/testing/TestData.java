package dev.ingot.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Locates the project root and the team's shared data folder for tests. */
public final class TestData {
    private TestData() {}

    /** The directory holding the parent pom ({@code <artifactId>ingot-parent}), found by walking up from the working directory. */
    public static Path projectRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path pom = p.resolve("pom.xml");
            try {
                // NOTE: module poms name ingot-parent too, inside <parent>; drop that block first
                if (Files.isRegularFile(pom)
                        && Files.readString(pom).replaceAll("(?s)<parent>.*?</parent>", "").contains("<artifactId>ingot-parent</artifactId>")) {
                    return p;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no ingot-parent pom.xml above " + Path.of("").toAbsolutePath());
    }

    /** {@code ../shared/data/<sub>} relative to the project root; skips the test if it is absent. */
    public static Path shared(String sub) {
        Path dir = projectRoot().resolve("../shared/data").resolve(sub).normalize();
        assumeTrue(Files.isDirectory(dir), "shared data not present: " + dir);
        return dir;
    }

    /** {@code dsl-examples/data/<sub>} in the project: the data committed with the examples. */
    public static Path examples(String sub) {
        Path p = projectRoot().resolve("dsl-examples/data").resolve(sub);
        if (!Files.exists(p)) throw new IllegalStateException("project data missing: " + p);
        return p;
    }
}
