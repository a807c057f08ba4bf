package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.IrPrinter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;

/**
 * Runs a pipeline ({@link Pipelines}): each step is one pass run once, or a group of passes run
 * round-robin until none changes the graph. After each pass it verifies the graph (with
 * {@code -ea}) and, when the context has a dump directory, writes {@code NN-name.ir}.
 */
public final class PassManager {
    private PassManager() {}

    /** A pipeline step. */
    public sealed interface Step permits Once, FixedPoint {}
    public record Once(Pass pass) implements Step {}
    public record FixedPoint(List<Pass> passes, int maxRounds) implements Step {}

    public static Step once(Pass p) { return new Once(p); }
    public static Step untilFixedPoint(Pass... p) { return new FixedPoint(List.of(p), 20); }

    public static Graph run(List<Step> steps, Graph g, PassContext cx) {
        dump(g, "input", cx);
        for (Step s : steps) {
            if (s instanceof Once o) g = runOne(o.pass(), g, cx);
            else if (s instanceof FixedPoint f) {
                for (int round = 0; round < f.maxRounds(); round++) {
                    boolean changed = false;
                    for (Pass p : f.passes()) {
                        Graph next = runOne(p, g, cx);
                        changed |= next != g;
                        g = next;
                    }
                    if (!changed) break;
                }
            }
        }
        return g;
    }

    private static Graph runOne(Pass p, Graph g, PassContext cx) {
        Graph r = p.run(g, cx);
        if (r != g) {
            assert verified(r);
            dump(r, p.name(), cx);
        }
        return r;
    }

    private static boolean verified(Graph g) {
        Verifier.verify(g);
        return true;
    }

    private static void dump(Graph g, String pass, PassContext cx) {
        if (cx.dumpDir() == null) return;
        try {
            Files.createDirectories(cx.dumpDir());
            Files.writeString(cx.dumpDir().resolve(String.format("%s.%02d-%s.ir", g.name(), cx.nextStep(), pass)), IrPrinter.print(g));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
