package dev.ingot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ingot}: compile, check, train, sample from and benchmark models written in the Ingot DSL.
 * Exit codes: 0 success, 1 failure at run time (bad data, I/O), 2 usage or DSL errors.
 */
@Command(name = "ingot", mixinStandardHelpOptions = true, version = "ingot 0.1.0",
        description = "An ahead-of-time deep-learning compiler for the JVM.",
        subcommands = {TrainCommand.class, SampleCommand.class, BenchCommand.class, CompileCommand.class, CheckCommand.class, SummaryCommand.class, PlotCommand.class, SparkPredictStub.class, SparkTrainStub.class, CommandLine.HelpCommand.class})
public final class Main {
    public static final int RUNTIME_ERROR = 1;
    public static final int USAGE_ERROR = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs with the given streams for picocli's own output and for error messages (tests). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        return execute(new Main(), out, err, args);
    }

    /**
     * Runs a picocli {@code command} (this one, or a command with its own main such as the spark
     * module's {@code spark-predict}) with the command line's error handling: a user's mistake is one
     * message and exit code 1 or 2, without a stack trace.
     */
    public static int execute(Object command, java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(new Errors());
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try 'ingot " + (ex.getCommandLine().getCommandName().equals("ingot") ? "" : ex.getCommandLine().getCommandName() + " ") + "--help'.");
            return USAGE_ERROR;
        });
        return cl.execute(args);
    }
}
