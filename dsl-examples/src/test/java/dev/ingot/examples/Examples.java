package dev.ingot.examples;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.model.CompiledModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates and compiles the example models and their data (the module directory is the working directory). */
final class Examples {
    private Examples() {}

    static Path file(String name) {
        Path p = Path.of(name);
        if (!Files.exists(p)) p = Path.of("dsl-examples").resolve(name);
        return p;
    }

    static Compiler.Result compile(String name) { return Compiler.compile(SourceFile.read(file(name)), Compiler.Options.defaults()); }

    /** The example's train or test split, from the data source of its train block. */
    static Dataset data(Compiler.Result r, String example, String split) throws IOException {
        return Dataset.load(r.model().train().data(), file(example).toAbsolutePath().getParent(), split);
    }

    static CompiledModel instantiate(Compiler.Result r, long seed) {
        CompiledModel m = r.instantiate(r.model().train().batch());
        m.initialize(seed);
        return m;
    }
}
