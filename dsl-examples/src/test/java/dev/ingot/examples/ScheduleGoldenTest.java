package dev.ingot.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.codegen.JavaEmitter;
import dev.ingot.compiler.frontend.Frontend;
import dev.ingot.compiler.frontend.ModelIr;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.compiler.schedule.Schedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Golden figures of the schedule of every example's entry points (with the split training step, computeGradients and
 * applyUpdate): kernels (generated methods),
 * kernel runs per call (loop bodies once per step) and arena bytes at the example's batch size. A
 * change to fusion or memory planning shows here, on purpose: when it is an improvement, regenerate
 * the file with {@code mvn -pl dsl-examples test -Dtest=ScheduleGoldenTest -Dingot.updateGolden=true}
 * and commit it with the change.
 */
class ScheduleGoldenTest {
    static final String GOLDEN = "src/test/resources/schedules.golden";

    @Test
    void everyExampleScheduleMatchesTheGoldenFigures() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# example entry: kernels, kernel runs per call, arena bytes at the example's batch size (see ScheduleGoldenTest)");
        List<Path> examples;
        try (Stream<Path> s = Files.list(Examples.file("mnist_mlp.ingot").toAbsolutePath().getParent())) {
            examples = s.filter(p -> p.toString().endsWith(".ingot")).sorted().toList();
        }
        for (Path p : examples) {
            ModelIr m = Frontend.compile(SourceFile.read(p));
            int batch = m.train().batch();
            for (JavaEmitter.Entry e : Compiler.entries(m, Compiler.Options.defaults().withSplitStep(true))) {
                Schedule s = e.schedule();
                lines.add(String.format("%s %s: kernels %d, runs %d, arena %d bytes at batch %d", p.getFileName(), e.method(),
                        s.kernelCount(), s.kernelRuns(), s.arenaBytes(batch), batch));
            }
        }
        String got = String.join("\n", lines) + "\n";
        Path golden = examples.get(0).getParent().resolve(GOLDEN);
        if (Boolean.getBoolean("ingot.updateGolden")) {
            Files.writeString(golden, got);
            return;
        }
        assertEquals(Files.readString(golden), got, "schedules changed; if this is intended, regenerate " + GOLDEN
                + " with -Dingot.updateGolden=true (see the class comment)");
    }
}
