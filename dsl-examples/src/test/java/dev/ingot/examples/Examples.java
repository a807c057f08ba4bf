package dev.ingot.examples;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.train.Progress;
import dev.ingot.runtime.train.TrainResult;
import dev.ingot.runtime.train.Trainer;
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

    /** A trained example: the model, its data splits (test limited as given) and the training result. */
    record Run(CompiledModel model, Dataset train, Dataset test, TrainResult result) {}

    /**
     * Compiles {@code example}, initializes it with seed 1, loads its data (the test split limited to
     * {@code testLimit} examples, 0 = all) and trains it with {@code options}, printing progress lines
     * (held-out metrics under {@code testLabel}).
     */
    static Run train(String example, Trainer.Options options, int testLimit, String testLabel) throws IOException {
        Compiler.Result r = compile(example);
        CompiledModel m = instantiate(r, 1);
        Dataset train = data(r, example, "train"), test = data(r, example, "test");
        if (testLimit > 0) test = test.limit(testLimit);
        TrainResult res = new Trainer(m).options(options.withSeed(1))
                .progress(new Progress(System.out, Progress.Mode.LINES).testLabel(testLabel))
                .fit(train, test);
        return new Run(m, train, test, res);
    }
}
