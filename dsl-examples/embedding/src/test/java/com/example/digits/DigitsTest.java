package com.example.digits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.runtime.train.Progress;
import dev.ingot.runtime.train.TrainResult;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Trains the generated model briefly on MNIST (one epoch, about 15 s), saves the weights, and
 * classifies the committed pictures in {@code src/test/resources/digits} (MNIST test digits drawn
 * at other sizes, dark on light, off centre, in colour, and three digits drawn with a pen; see
 * {@link RenderTestDigits}).
 */
class DigitsTest {
    static final Path MNIST = Path.of(System.getProperty("mnist.dir", "../data/mnist"));
    static final Path WEIGHTS = Path.of(System.getProperty("weights.file", "target/mnist_mlp.safetensors"));
    static final Path DIGITS = Path.of("src/test/resources/digits");

    static TrainResult trained;

    @BeforeAll
    static void train() throws IOException {
        Files.createDirectories(WEIGHTS.toAbsolutePath().getParent());
        trained = TrainDigits.train(MNIST, WEIGHTS, 1, new Progress(System.out, Progress.Mode.LINES));
        System.out.printf("trained 1 epoch: test accuracy %.4f, %.0f examples/s; weights in %s%n",
                trained.testAccuracy(), trained.trainExamplesPerSecond(), WEIGHTS);
    }

    static List<Path> pictures() throws IOException {
        try (Stream<Path> s = Files.list(DIGITS)) {
            return s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
    }

    @Test
    void learnsMnist() {
        assertTrue(trained.testAccuracy() >= 0.95, "test accuracy " + trained.testAccuracy());
    }

    @Test
    void classifiesEveryPicture() throws IOException {
        ClassifyDigit classifier = new ClassifyDigit(WEIGHTS);
        List<Path> pictures = pictures();
        assertEquals(11, pictures.size());
        for (Path p : pictures) {
            int label = p.getFileName().toString().charAt(0) - '0';
            ClassifyDigit.Prediction pred = classifier.classify(p);
            System.out.printf("%s: %d (%.3f)%n", p.getFileName(), pred.digit(), pred.confidence());
            assertEquals(label, pred.digit(), p.getFileName() + " classified as " + pred.digit()
                    + "; the model saw:\n" + DigitImage.ascii(DigitImage.read(p)));
            assertTrue(pred.confidence() > 0.5, p.getFileName() + ": confidence " + pred.confidence());
        }
    }

    @Test
    void commandLinePrintsTheDigitAndProbabilities() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Path seven = DIGITS.resolve("7_mnist_28px.png");
        int rc = ClassifyDigit.run(new String[] {WEIGHTS.toString(), seven.toString(), "--show"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        assertTrue(text.startsWith(seven + ": 7 ("), text);
        assertTrue(text.contains("  0:0.") && text.contains(" 9:0."), text);
        assertTrue(text.contains("@@"), "--show prints the input\n" + text);
    }

    @Test
    void commandLineErrors() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8), e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, ClassifyDigit.run(new String[] {WEIGHTS.toString()}, o, e));
        assertEquals(1, ClassifyDigit.run(new String[] {WEIGHTS.toString(), "no-such.png"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no such image file: no-such.png"));
        assertEquals(1, ClassifyDigit.run(new String[] {WEIGHTS.toString(), "pom.xml"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("pom.xml is not an image"));
    }

    /** The preparation does not depend on polarity, size or colour much: all give nearly the same input. */
    @Test
    void preparationIsInsensitiveToPolarityAndSize() {
        BufferedImage light = new BufferedImage(60, 80, BufferedImage.TYPE_INT_RGB), dark = new BufferedImage(30, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 80; y++) {
            for (int x = 0; x < 60; x++) {
                boolean ink = Math.abs(x - 30) < 6 && y > 10 && y < 70 || y > 10 && y < 16 && x > 18 && x < 42; // a "T"
                light.setRGB(x, y, ink ? 0x000000 : 0xffffff);
                if (x % 2 == 0 && y % 2 == 0) dark.setRGB(x / 2, y / 2, ink ? 0xffffff : 0x000000);
            }
        }
        float[] a = DigitImage.toMnist(light), b = DigitImage.toMnist(dark);
        double diff = 0, mass = 0;
        for (int i = 0; i < a.length; i++) {
            diff += Math.abs(a[i] - b[i]);
            mass += a[i];
        }
        assertTrue(diff / mass < 0.25, "relative difference " + diff / mass);
        // 20-pixel box, centred: the T is 60 px tall, so 20 rows are inked; its stem is near column 14
        int rows = 0;
        for (int y = 0; y < 28; y++) {
            float row = 0;
            for (int x = 0; x < 28; x++) row += a[y * 28 + x];
            if (row > 0.5f) rows++;
        }
        assertTrue(rows >= 19 && rows <= 21, rows + " rows");
        assertTrue(a[14 * 28 + 14] > 0.8f || a[14 * 28 + 13] > 0.8f, "stem at the centre");
        float[] blank = DigitImage.toMnist(new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB));
        for (float v : blank) assertEquals(0f, v);
    }
}
