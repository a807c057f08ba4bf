package dev.ingot.cli;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.ir.IrPrinter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ingot compile MODEL.ingot -o DIR}: writes the generated Java source (and IR and schedule dumps). */
@Command(name = "compile", mixinStandardHelpOptions = true, description = "Generate the Java class of a model.")
final class CompileCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.ingot") Path model;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Directory for the generated sources (package folders are created).") Path out;
    @Option(names = "--package", paramLabel = "P", defaultValue = "ingot.generated", description = "Package of the generated class (default: ${DEFAULT-VALUE}).") String pkg;
    @Option(names = "--dump-ir", description = "Also write the IR of each entry point after every pass, and its kernel schedule (ENTRY.schedule), into DIR/ir/.") boolean dumpIr;
    @Option(names = "--scalar", description = "Plain scalar Java instead of the Vector API.") boolean scalar;
    @Option(names = "--inference-only", description = "Emit predict only: no loss, gradients or optimizer.") boolean inferenceOnly;

    @Override public Integer call() throws Exception {
        Path irDir = dumpIr ? out.resolve("ir") : null;
        Compiler.Options opt = Compiler.Options.defaults().withPackage(pkg).withDumpDir(irDir).withVector(!scalar).withTraining(!inferenceOnly);
        Compiler.Result r = Models.compile(model, opt);
        Path dir = pkg.isEmpty() ? out : out.resolve(pkg.replace('.', '/'));
        Files.createDirectories(dir);
        Path file = dir.resolve(r.source().className() + ".java");
        Files.writeString(file, r.source().code());
        System.out.println("wrote " + file);
        if (irDir != null) {
            for (var e : r.entries()) Files.writeString(irDir.resolve(e.method() + ".final.ir"), IrPrinter.print(e.graph()));
            System.out.println("wrote IR dumps and schedules to " + irDir);
        }
        return 0;
    }
}
