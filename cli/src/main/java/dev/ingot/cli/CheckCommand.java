package dev.ingot.cli;

import dev.ingot.compiler.Compiler;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ingot check MODEL.ingot}: runs the whole compiler and reports errors only. */
@Command(name = "check", mixinStandardHelpOptions = true, description = "Check a model file for errors (syntax, names, shapes); prints nothing when it is fine.")
final class CheckCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.ingot") Path model;

    @Override public Integer call() {
        Compiler.check(Models.read(model), Compiler.Options.defaults());
        return 0;
    }
}
