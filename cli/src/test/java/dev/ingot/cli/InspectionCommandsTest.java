package dev.ingot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.Evaluator;
import dev.ingot.compiler.frontend.Frontend;
import dev.ingot.compiler.frontend.ModelIr;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.io.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ingot summary}, {@code ingot plot} and {@code train --plot / --save-best / --early-stopping} on small real runs. */
class InspectionCommandsTest {
    @TempDir Path tmp;

    @Test
    void summaryOfTheMnistCnn() {
        SourceFile src = SourceFile.read(MainTest.example("mnist_cnn.ingot"));
        List<Evaluator.LayerCall> calls = new ArrayList<>();
        ModelIr ir = Frontend.compile(src, calls);
        Compiler.Result r = Compiler.compile(src, Compiler.Options.defaults());
        List<SummaryCommand.Row> rows = SummaryCommand.rows(ir, calls);
        assertEquals(List.of("conv1 (conv2d)", "conv2 (conv2d)", "fc1 (dense)", "fc2 (dense)"), rows.stream().map(SummaryCommand.Row::name).toList());
        assertEquals("[batch, 32, 26, 26]", rows.get(0).shape());
        assertEquals(320, rows.get(0).params(), "32 x 1 x 3 x 3 + 32");
        long sum = rows.stream().mapToLong(SummaryCommand.Row::params).sum();
        assertEquals(r.instantiate(1).spec().parameterCount(), sum, "the rows add up to the count train reports");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SummaryCommand.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), "mnist_cnn.ingot", ir, calls, r, 0);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains(String.format("total parameters: %,d", sum)), out);
        SummaryCommand.Plan plan = SummaryCommand.Plan.of(r.source().code());
        assertTrue(plan != null && plan.perBatch() > 0 && plan.kernels().get("trainStep") > plan.kernels().get("predict"), out);
        assertTrue(out.contains("intermediates (arena): batch 1: ") && out.contains("kernels per call: "), out);
    }

    @Test
    void sharedLayersAndLooseParametersAreCountedOnce() {
        String text = """
            model Shared {
              input  x: f32[batch, 4]
              layer  fc = dense(4, 4)
              param  scale: [4] = ones
              output y = fc(fc(x)) * scale
            }
            """;
        SourceFile src = SourceFile.of("s.ingot", null, text, true);
        List<Evaluator.LayerCall> calls = new ArrayList<>();
        ModelIr ir = Frontend.compile(src, calls);
        List<SummaryCommand.Row> rows = SummaryCommand.rows(ir, calls);
        assertEquals(List.of(20L, 0L, 4L), rows.stream().map(SummaryCommand.Row::params).toList(), rows.toString());
        assertEquals("params scale", rows.get(2).name());
    }

    @Test
    void trainPlotsSavesTheBestAndStopsEarly() throws Exception {
        StringBuilder csv = new StringBuilder("a,b,y\n");
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (int i = 0; i < 200; i++) {
            double a = rnd.nextDouble(-1, 1), b = rnd.nextDouble(-1, 1);
            csv.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%d%n", a, b, a + b > 0 ? 1 : 0));
        }
        Files.writeString(tmp.resolve("pts.csv"), csv);
        Path model = tmp.resolve("pts.ingot");
        Files.writeString(model, """
            model Points {
              input  x: f32[batch, 2]
              label  y: i32[batch]
              layer  fc = dense(2, 1)
              output logit = reshape(fc(x), [batch])
              loss = mean(maximum(logit, 0) - logit * one_hot(y, 2)[:, 1] + log(1 + exp(-abs(logit))))
              train { optimizer: adam(lr = 0.05), batch: 20, epochs: 40, early_stopping: 2, data: csv("pts.csv", target = "y") }
            }
            """);
        Path png = tmp.resolve("curves.png"), best = tmp.resolve("best.safetensors"), metrics = tmp.resolve("m.json");
        MainTest.Run r = MainTest.run("train", model.toString(), "--threads", "1", "--quiet", "--plot", png.toString(),
                "--save-best", best.toString(), "--metrics", metrics.toString());
        assertEquals(0, r.code(), r.err());
        Map<?, ?> m = (Map<?, ?>) Json.parse(Files.readString(metrics));
        assertTrue(((Number) m.get("test_accuracy")).doubleValue() >= 0.9, "a single-logit classifier gets accuracy: " + m.get("test_accuracy"));
        assertTrue(((Number) m.get("epochs")).intValue() < 40 && String.valueOf(m.get("stopped")).startsWith("early stopping"), m.toString());
        assertTrue(Files.size(best) > 0);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1040, img.getWidth(), "loss and accuracy panels");
        Path again = tmp.resolve("again.png");
        assertEquals(0, MainTest.run("plot", metrics.toString(), "-o", again.toString()).code());
        assertEquals(400, ImageIO.read(again.toFile()).getHeight());
        MainTest.Run bad = MainTest.run("plot", model.toString(), "-o", again.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("not a metrics file"), bad.err());
    }
}
