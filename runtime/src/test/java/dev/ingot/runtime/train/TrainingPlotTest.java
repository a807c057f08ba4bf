package dev.ingot.runtime.train;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrainingPlotTest {
    @TempDir Path dir;

    private static int count(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xffffff) == rgb) n++;
        return n;
    }

    @Test
    void drawsLossAndAccuracyFromTheMetricsHistory() throws IOException {
        TrainResult r = new TrainResult("M", 10, 4, 100, 20, 0.3, 0.4, 0.9, 1000, 3, 75, false, 1.0,
                List.of(new EpochStats(1, 3, 1.0, 0.8, 0.6, 1, 1), new EpochStats(2, 3, 0.5, 0.5, 0.8, 1, 1), new EpochStats(3, 3, 0.3, 0.4, 0.9, 1, 1)));
        Path json = dir.resolve("m.json");
        r.writeMetrics(json, 1, Map.of());
        Map<?, ?> m = (Map<?, ?>) Json.parse(Files.readString(json));
        Path png = dir.resolve("out/curves.png");
        TrainingPlot.write(png, TrainingPlot.Series.fromMetrics("m.json", m));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1040, img.getWidth(), "two panels: loss and accuracy");
        assertTrue(count(img, 0x1f77b4) > 50, "the train loss curve");
        assertTrue(count(img, 0xd62728) > 50, "the test loss curve");
        assertTrue(count(img, 0x2ca02c) > 50, "the accuracy curve");
    }

    @Test
    void aRegressionHasOnePanelAndItsBaseline() throws IOException {
        Map<String, Object> m = Map.of("model", "R", "test_mse", 0.1, "baseline_mse", 2.0,
                "history", List.of(Map.of("epoch", 1, "train_loss", 1.0, "test_loss", 1.2), Map.of("epoch", 2, "train_loss", 0.2, "test_loss", 0.3)));
        TrainingPlot.Series s = TrainingPlot.Series.fromMetrics("r.json", m);
        assertEquals("loss (MSE)", s.lossLabel());
        assertEquals(2.0, s.baseline());
        Path png = dir.resolve("r.png");
        TrainingPlot.write(png, s);
        assertEquals(520, ImageIO.read(png.toFile()).getWidth());
        DataFormatException e = assertThrows(DataFormatException.class, () -> TrainingPlot.Series.fromMetrics("x.json", Map.of("model", "X")));
        assertEquals("x.json: no training history (\"history\": [...]) to plot; write it with train --metrics", e.getMessage());
    }

    @Test
    void niceSteps() {
        assertEquals(0.2, TrainingPlot.niceStep(0.17), 1e-12);
        assertEquals(5, TrainingPlot.niceStep(4.1), 1e-12);
        assertEquals(10, TrainingPlot.niceStep(8), 1e-12);
    }
}
