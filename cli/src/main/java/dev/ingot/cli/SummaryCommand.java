package dev.ingot.cli;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.Evaluator;
import dev.ingot.compiler.frontend.Frontend;
import dev.ingot.compiler.frontend.ModelIr;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ingot summary MODEL.ingot}: a Keras-like table of the model's layers (each application of
 * a model-level layer, and each block of a {@code repeat}), their output shapes and parameter
 * counts; the total (the number {@code train} reports); the memory of the intermediates (the arena)
 * for a few batch sizes; and the kernels each entry point runs.
 */
@Command(name = "summary", mixinStandardHelpOptions = true, description = "Print a table of the model's layers (output shape, parameters), the parameter total, the memory of the intermediates per batch size and the kernels per step.")
final class SummaryCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.ingot") Path model;
    @Option(names = "--batch", paramLabel = "N", description = "Also show the memory for this batch size.") int batch;

    @Override public Integer call() {
        if (batch < 0) throw new Errors.UsageException("--batch must be positive");
        SourceFile src = Models.read(model);
        List<Evaluator.LayerCall> calls = new ArrayList<>();
        ModelIr ir = Frontend.compile(src, calls);
        Compiler.Result r = Compiler.compile(src, Compiler.Options.defaults());
        print(System.out, model.toString(), ir, calls, r, batch);
        return 0;
    }

    /** One row of the table. */
    record Row(String name, String shape, long params) {}

    /**
     * The rows: every application of a model-level layer (path without a dot) or of a block of a
     * stack ({@code blocks.0}); parameters count at their layer's first application; parameters
     * of no layer (a model's own {@code param}) get a row of their own.
     */
    static List<Row> rows(ModelIr ir, List<Evaluator.LayerCall> calls) {
        List<Row> rows = new ArrayList<>();
        Set<String> counted = new HashSet<>();
        for (Evaluator.LayerCall c : calls) {
            if (!c.path().matches("[^.]+(\\.\\d+)?")) continue;
            long n = 0;
            for (Node p : ir.params()) {
                String name = p.attrs().s("name");
                if (name.startsWith(c.path() + ".") && counted.add(name)) n += p.shape().numel().constant();
            }
            rows.add(new Row(c.path() + " (" + c.kind() + ")", shape(c.output().shape()), n));
        }
        List<String> loose = new ArrayList<>();
        long rest = 0;
        for (Node p : ir.params()) {
            String name = p.attrs().s("name");
            if (!counted.contains(name)) {
                loose.add(name);
                rest += p.shape().numel().constant();
            }
        }
        if (!loose.isEmpty()) rows.add(new Row("params " + String.join(", ", loose), "", rest));
        return rows;
    }

    static void print(PrintStream out, String file, ModelIr ir, List<Evaluator.LayerCall> calls, Compiler.Result r, int batch) {
        List<Row> rows = rows(ir, calls);
        int w1 = Math.max(24, rows.stream().mapToInt(x -> x.name().length()).max().orElse(0) + 2);
        int w2 = Math.max(22, rows.stream().mapToInt(x -> x.shape().length()).max().orElse(0) + 2);
        String rule = "-".repeat(w1 + w2 + 12);
        out.printf("%s (%s)%n", ir.name(), file);
        out.println(rule);
        out.printf("%-" + w1 + "s%-" + w2 + "s%12s%n", "layer (type)", "output shape", "params");
        out.println("=".repeat(w1 + w2 + 12));
        for (Row row : rows) out.printf("%-" + w1 + "s%-" + w2 + "s%,12d%n", row.name(), row.shape(), row.params());
        out.println(rule);
        long total = r.description().parameterCount();
        out.printf(Locale.ROOT, "total parameters: %,d (%s as f32)%n", total, bytes(4 * total));
        out.println("inputs: " + leaves(ir.inputs()) + (ir.labels().isEmpty() ? "" : "; labels: " + leaves(ir.labels())));
        out.println("outputs: " + ir.outputs().entrySet().stream().map(e -> e.getKey() + " " + shape(e.getValue().shape())).collect(Collectors.joining(", ")));
        Plan plan = Plan.of(r.source().code());
        if (plan == null) {
            out.println("memory and kernels: not available from this code generator");
            return;
        }
        List<Integer> sizes = new ArrayList<>(List.of(1, 32));
        if (ir.train() != null && !sizes.contains(ir.train().batch())) sizes.add(ir.train().batch());
        if (batch > 0 && !sizes.contains(batch)) sizes.add(batch);
        sizes.sort(null);
        out.println("intermediates (arena): " + sizes.stream().map(b -> "batch " + b + ": " + bytes(4 * plan.arena(b))).collect(Collectors.joining(", ")));
        out.println("kernels per call: " + plan.kernels().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
    }

    /**
     * What the generated class's Javadoc states about its memory plan: the arena, {@code a * maxBatch
     * + b} floats, and the kernels of every entry point. Null when the code does not say.
     */
    record Plan(long perBatch, long constant, Map<String, Integer> kernels) {
        private static final Pattern ARENA = Pattern.compile("arena of ([^)]*?) floats\\)");
        private static final Pattern ENTRY = Pattern.compile("<li>(\\w+): (\\d+) kernels,");
        private static final Pattern LIN = Pattern.compile("(?:(\\d+) \\* )?maxBatch(?: ([+-]) (\\d+))?|(\\d+)");

        static Plan of(String code) {
            Matcher a = ARENA.matcher(code);
            if (!a.find()) return null;
            Matcher lin = LIN.matcher(a.group(1).trim());
            if (!lin.matches()) return null;
            long per = 0, c;
            if (lin.group(4) != null) c = Long.parseLong(lin.group(4));
            else {
                per = lin.group(1) == null ? 1 : Long.parseLong(lin.group(1));
                c = lin.group(3) == null ? 0 : Long.parseLong(lin.group(3)) * (lin.group(2).equals("-") ? -1 : 1);
            }
            Map<String, Integer> kernels = new LinkedHashMap<>();
            Matcher e = ENTRY.matcher(code);
            while (e.find()) kernels.merge(e.group(1), Integer.parseInt(e.group(2)), Integer::sum);
            return new Plan(per, c, kernels);
        }

        long arena(int batch) { return perBatch * batch + constant; }
    }

    static String shape(Shape s) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < s.rank(); i++) {
            if (i > 0) b.append(", ");
            b.append(s.isBatchDim(i) ? "batch" : Integer.toString(s.dim(i)));
        }
        return b.append(']').toString();
    }

    private static String leaves(List<Node> nodes) {
        return nodes.stream().map(n -> n.attrs().s("name") + " " + n.dtype().toString().toLowerCase(Locale.ROOT) + shape(n.shape()))
                .collect(Collectors.joining(", "));
    }

    static String bytes(long b) {
        if (b < 1024) return b + " B";
        if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
    }
}
