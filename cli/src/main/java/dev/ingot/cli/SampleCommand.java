package dev.ingot.cli;

import dev.ingot.compiler.Compiler;
import dev.ingot.runtime.data.CharCorpus;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.model.TrainConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ingot sample MODEL.ingot --load CKPT}: text from a trained character model, printed as
 * it is generated. The vocabulary is the model's {@code chars(...)} corpus (the same file it was
 * trained on); see {@link Sampler} for the generation.
 */
@Command(name = "sample", mixinStandardHelpOptions = true, description = "Generate text with a trained character model (one whose train block reads chars(...)).")
final class SampleCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.ingot") Path model;
    @Option(names = "--load", required = true, paramLabel = "CKPT", description = "The trained weights, from 'ingot train --save CKPT'.") Path load;
    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "", description = "Text to continue (default: none, start of a line).") String prompt;
    @Option(names = "--length", paramLabel = "N", defaultValue = "500", description = "Characters to generate (default: ${DEFAULT-VALUE}).") int length;
    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "Divide the logits by T: < 1 more predictable, > 1 more varied (default: ${DEFAULT-VALUE}).") double temperature;
    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Sample from the K most likely characters only (default: all).") int topK;
    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Random seed; the same seed gives the same text (default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--threads", paramLabel = "N", defaultValue = "1", description = "Threads (default: ${DEFAULT-VALUE}; one example at a time gains little from more).") int threads;
    @Spec CommandSpec spec;

    /** Longest --length: generation keeps the whole text (prompt and output) as the model's context. */
    static final int MAX_LENGTH = 10_000_000;

    @Override public Integer call() throws Exception {
        if (length < 1 || length > MAX_LENGTH) throw new Errors.UsageException("--length must be from 1 to " + MAX_LENGTH + ", got " + length);
        if (!(temperature > 0) || Double.isInfinite(temperature)) throw new Errors.UsageException("--temperature must be a number > 0, got " + temperature);
        if (topK < 0) throw new Errors.UsageException("--top-k must be >= 0 (0: all characters), got " + topK);
        Models.threads(threads);
        Compiler.Result r = Models.compile(model, Compiler.Options.defaults().withTraining(false));
        TrainConfig tc = r.model().train();
        TrainConfig.DataSpec ds = tc == null ? null : tc.data();
        if (ds == null || !ds.kind().equals(CharCorpus.KIND)) {
            throw new Errors.UsageException(model + ": sample needs a character model, whose train block reads its text with "
                    + "chars(\"FILE\", seq = N) (the vocabulary comes from it); model " + r.model().name()
                    + (tc == null ? " has no train block" : ds == null ? " names no data" : " reads " + ds.kind() + " data"));
        }
        CharCorpus corpus = CharCorpus.load(ds, model.toAbsolutePath().getParent());
        CompiledModel m = r.instantiate(1);
        Sampler sampler = new Sampler(m, corpus);
        dev.ingot.runtime.io.Checkpoint.load(load, m, true);   // weights; a training checkpoint's optimizer state is ignored
        PrintWriter out = spec.commandLine().getOut();
        out.print(prompt);
        out.flush();
        sampler.generate(prompt, length, temperature, topK, seed, c -> {
            out.print(c);
            out.flush();
        });
        out.println();
        out.flush();
        return 0;
    }
}
