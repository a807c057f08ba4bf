package dev.ingot.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorTest {
    static final String TINY = """
            model Tiny {
              input  x: f32[batch, 4]
              label  y: i32[batch]
              layer  out = dense(4, 3)
              output scores = out(x)
              loss   = softmax_cross_entropy(scores, y)
              train { optimizer: sgd(lr = 0.1), batch: 8 }
            }
            """;
    static final String ECHO = """
            model Echo {
              input  x: f32[batch, 3]
              output y = x * 2
            }
            """;

    @TempDir Path dir;

    Path src() { return dir.resolve("src/main/ingot"); }
    Path out() { return dir.resolve("target/generated-sources/ingot"); }

    Generator generator(String pkg, boolean inferenceOnly, boolean vector) {
        return new Generator(new Generator.Settings(src(), out(), dir.resolve("target/ingot-maven-plugin/state.txt"), pkg,
                inferenceOnly, vector, "test"));
    }

    Generator.Report run() throws IOException { return generator(null, false, true).run(); }

    void write(String rel, String text) throws IOException {
        Path p = src().resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    static List<String> outputs(List<Generator.Generated> g) { return g.stream().map(Generator.Generated::output).toList(); }

    @Test
    void packageComesFromTheDirectoryOrTheDefault() throws IOException {
        write("com/acme/tiny.ingot", TINY);
        write("echo.ingot", ECHO);
        Generator.Report r = run();
        assertEquals(List.of("com/acme/Tiny.java", "ingot/generated/Echo.java"), outputs(r.generated()));
        assertEquals(List.of("com/acme/tiny.ingot", "echo.ingot"), r.generated().stream().map(Generator.Generated::model).toList());
        String code = Files.readString(out().resolve("com/acme/Tiny.java"));
        assertTrue(code.startsWith("package com.acme;") || code.contains("\npackage com.acme;"), code.substring(0, 200));
        assertTrue(code.contains("jdk.incubator.vector"));
        assertTrue(Files.readString(out().resolve("ingot/generated/Echo.java")).contains("package ingot.generated;"));
    }

    @Test
    void aConfiguredPackageAppliesToEveryModel() throws IOException {
        write("com/acme/tiny.ingot", TINY);
        Generator.Report r = generator("org.example", true, false).run();
        assertEquals(List.of("org/example/Tiny.java"), outputs(r.generated()));
        String code = Files.readString(out().resolve("org/example/Tiny.java"));
        assertFalse(code.contains("jdk.incubator.vector"), "scalar");
        assertTrue(code.contains("for inference only"), "inference only");
    }

    @Test
    void splitStepAddsComputeGradientsAndRegenerates() throws IOException {
        write("a/tiny.ingot", TINY);
        run();
        assertFalse(Files.readString(out().resolve("a/Tiny.java")).contains("computeGradients"));
        Generator.Report r = new Generator(new Generator.Settings(src(), out(), dir.resolve("target/ingot-maven-plugin/state.txt"), null,
                false, true, "test", true)).run();
        assertEquals(List.of("a/Tiny.java"), outputs(r.generated()), "a changed setting regenerates");
        String code = Files.readString(out().resolve("a/Tiny.java"));
        assertTrue(code.contains("public float computeGradients(int n)") && code.contains("public void applyUpdate()"), "split step");
    }

    @Test
    void unchangedModelsAreNotRegenerated() throws IOException {
        write("a/tiny.ingot", TINY);
        write("b/echo.ingot", ECHO);
        assertEquals(2, run().generated().size());
        Path tiny = out().resolve("a/Tiny.java");
        FileTime before = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(tiny, before);

        Generator.Report again = run();
        assertEquals(List.of(), again.generated());
        assertEquals(List.of("a/Tiny.java", "b/Echo.java"), outputs(again.upToDate()));
        assertEquals(before, Files.getLastModifiedTime(tiny), "not rewritten");

        // an edit regenerates that model only
        write("b/echo.ingot", ECHO.replace("x * 2", "x * 3"));
        Generator.Report edited = run();
        assertEquals(List.of("b/Echo.java"), outputs(edited.generated()));
        assertEquals(List.of("a/Tiny.java"), outputs(edited.upToDate()));
        assertTrue(Files.readString(out().resolve("b/Echo.java")).contains("3"));
    }

    @Test
    void otherOptionsOrAToolChangeRegenerate() throws IOException {
        write("tiny.ingot", TINY);
        run();
        assertEquals(1, generator(null, true, true).run().generated().size(), "inference-only");
        assertEquals(1, generator(null, true, false).run().generated().size(), "scalar");
        assertEquals(1, generator(null, true, false).run().upToDate().size());
        Generator other = new Generator(new Generator.Settings(src(), out(), dir.resolve("target/ingot-maven-plugin/state.txt"), null,
                true, false, "another version"));
        assertEquals(1, other.run().generated().size(), "new plugin or compiler");
    }

    @Test
    void aDeletedOrEditedOutputIsRegenerated() throws IOException {
        write("tiny.ingot", TINY);
        run();
        Path java = out().resolve("ingot/generated/Tiny.java");
        String code = Files.readString(java);
        Files.delete(java);
        assertEquals(1, run().generated().size());
        Files.writeString(java, "// edited by hand\n" + code);
        assertEquals(1, run().generated().size());
        // (not compared with `code`: the compiler numbers IR nodes from a JVM-wide counter, so the text differs)
        assertTrue(Files.readString(java).startsWith("// Generated by ingot from tiny.ingot"));
    }

    @Test
    void outputsOfDeletedModelsAreRemovedAndNothingElse() throws IOException {
        write("com/acme/tiny.ingot", TINY);
        write("echo.ingot", ECHO);
        run();
        Path mine = out().resolve("com/acme/Handwritten.java");
        Files.writeString(mine, "package com.acme; class Handwritten {}");
        Files.delete(src().resolve("com/acme/tiny.ingot"));
        Files.delete(src().resolve("echo.ingot"));

        Generator.Report r = run();
        assertEquals(List.of("com/acme/Tiny.java", "ingot/generated/Echo.java"), r.removed());
        assertFalse(Files.exists(out().resolve("com/acme/Tiny.java")));
        assertFalse(Files.exists(out().resolve("ingot")), "empty package directories are removed");
        assertTrue(Files.exists(mine), "a file the plugin did not write is kept");
    }

    @Test
    void renamingTheModelRemovesTheOldClass() throws IOException {
        write("tiny.ingot", TINY);
        run();
        write("tiny.ingot", TINY.replace("model Tiny", "model Small"));
        Generator.Report r = run();
        assertEquals(List.of("ingot/generated/Small.java"), outputs(r.generated()));
        assertEquals(List.of("ingot/generated/Tiny.java"), r.removed());
    }

    @Test
    void dslErrorsOfEveryFileAreReportedWithLineAndColumn() throws IOException {
        write("m/typo.ingot", """
                model Typo {
                  input  x: f32[batch, 4]
                  output y = relu(x) + sigmod(x)
                }
                """);
        write("m/shape.ingot", """
                model Shape {
                  input  x: f32[batch, 4]
                  param  w: [5, 2] = zeros
                  output y = x @ w
                }
                """);
        write("m/echo.ingot", ECHO);
        Generator.Report r = run();
        assertEquals(List.of("m/Echo.java"), outputs(r.generated()), "good models are still generated");
        assertEquals(2, r.problems().size());
        Generator.Problem shape = r.problems().get(0), typo = r.problems().get(1);
        Path m = src().toAbsolutePath().normalize().resolve("m");
        assertEquals(m.resolve("shape.ingot") + ":[4,14] matmul: [batch, 4] @ [5, 2]: inner dimensions 4 and 5 differ\n"
                + "      output y = x @ w\n"
                + "                 ^^^^^", shape.render());
        assertEquals(m.resolve("typo.ingot") + ":[3,24] unknown name 'sigmod'; did you mean 'sigmoid'?", typo.render().lines().findFirst().get());

        // a failed model is compiled again next time, even unchanged
        Generator.Report again = run();
        assertEquals(2, again.problems().size());
        assertEquals(List.of("m/Echo.java"), outputs(again.upToDate()));
    }

    @Test
    void twoModelsWithOneClassNameAreAnError() throws IOException {
        write("a/tiny.ingot", TINY);
        write("b/tiny.ingot", TINY);
        Generator.Report r = generator("same", false, true).run();
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().get(0).message().contains("both would generate same/Tiny.java"), r.problems().get(0).message());
    }

    @Test
    void aDirectoryThatIsNotAPackageIsAnError() throws IOException {
        write("my-models/tiny.ingot", TINY);
        Generator.Report r = run();
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().get(0).render().contains("my-models is not a Java package name"), r.problems().get(0).render());
    }

    @Test
    void aBadPackageNameIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> generator("com.1acme", false, true));
    }

    @Test
    void noSourceDirectoryMeansNothingToDo() throws IOException {
        Generator.Report r = run();
        assertTrue(r.generated().isEmpty() && r.upToDate().isEmpty() && r.problems().isEmpty());
    }
}
