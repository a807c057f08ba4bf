package com.example.digits;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Arc2D;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * Made the PNG files in {@code src/test/resources/digits}: digits of the MNIST test set (which the
 * model never trains on) drawn as a user's pictures might be: at other sizes, dark on light, off
 * centre, in colour; and three digits drawn with a pen, not from MNIST at all. Each file is named
 * {@code <label>_<how>.png}. Not a test; run it by hand:
 * <pre>
 * java src/test/java/com/example/digits/RenderTestDigits.java ../data/mnist src/test/resources/digits
 * </pre>
 */
public final class RenderTestDigits {
    private RenderTestDigits() {}

    public static void main(String[] args) throws IOException {
        Path mnist = Path.of(args.length > 0 ? args[0] : "../data/mnist");
        Path out = Path.of(args.length > 1 ? args[1] : "src/test/resources/digits");
        Files.createDirectories(out);
        int[][] images = readImages(mnist.resolve("t10k-images-idx3-ubyte.gz"), 20);
        int[] labels = readLabels(mnist.resolve("t10k-labels-idx1-ubyte.gz"), 20);

        // test example index, file name, picture
        write(out, labels, 0, "mnist_28px", scaled(images[0], 28, 28, 0, 0, Color.BLACK, Color.WHITE));
        write(out, labels, 1, "mnist_140px", scaled(images[1], 140, 140, 0, 0, Color.BLACK, Color.WHITE));
        write(out, labels, 2, "dark_on_light_56px", scaled(images[2], 56, 56, 0, 0, Color.WHITE, Color.BLACK));
        write(out, labels, 3, "dark_on_light_off_centre_200x120", placed(images[3], 200, 120, 96, 20, 8, Color.WHITE, Color.BLACK));
        write(out, labels, 4, "blue_ink_on_paper_90x110", placed(images[4], 90, 110, 84, 2, 20, new Color(245, 240, 220), new Color(20, 40, 140)));
        write(out, labels, 7, "mnist_280px", scaled(images[7], 280, 280, 0, 0, Color.BLACK, Color.WHITE));
        write(out, labels, 11, "dark_on_light_small_digit_150px", placed(images[11], 150, 150, 50, 60, 70, Color.WHITE, Color.DARK_GRAY));
        write(out, labels, 18, "grey_on_black_70px", scaled(images[18], 70, 70, 0, 0, Color.BLACK, new Color(170, 170, 170)));

        // Not from MNIST: digits drawn with a round pen, as in a drawing program.
        for (int digit : new int[] {3, 4, 7}) {
            File f = out.resolve(digit + "_drawn_pen_300px.png").toFile();
            ImageIO.write(drawn(digit), "png", f);
            System.out.println("wrote " + f + " (drawn)");
        }
    }

    /** A digit drawn with an 18-pixel round pen, black on a white 300x300 picture. */
    static BufferedImage drawn(int digit) {
        BufferedImage img = new BufferedImage(300, 300, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 300, 300);
        g.setColor(Color.BLACK);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setStroke(new BasicStroke(18, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        switch (digit) {
            case 3 -> {
                g.draw(new Arc2D.Double(100, 50, 100, 100, -90, 250, Arc2D.OPEN));
                g.draw(new Arc2D.Double(95, 150, 110, 110, -160, 250, Arc2D.OPEN));
            }
            case 4 -> {
                g.drawLine(170, 50, 90, 180);
                g.drawLine(90, 180, 220, 180);
                g.drawLine(180, 110, 180, 260);
            }
            case 7 -> {
                g.drawLine(90, 60, 210, 60);
                g.drawLine(210, 60, 130, 250);
            }
            default -> throw new IllegalArgumentException("no drawing of " + digit);
        }
        g.dispose();
        return img;
    }

    static void write(Path dir, int[] labels, int index, String how, BufferedImage img) throws IOException {
        File f = dir.resolve(labels[index] + "_" + how + ".png").toFile();
        ImageIO.write(img, "png", f);
        System.out.println("wrote " + f + " (MNIST test example " + index + ")");
    }

    /** The 28x28 digit scaled (bicubic) to w x h, ink colour over the paper colour. */
    static BufferedImage scaled(int[] digit, int w, int h, int x, int y, Color paper, Color ink) {
        return placed(digit, w, h, Math.min(w, h), x, y, paper, ink);
    }

    /** The 28x28 digit scaled to size x size and drawn at (x, y) on a w x h picture. */
    static BufferedImage placed(int[] digit, int w, int h, int size, int x, int y, Color paper, Color ink) {
        BufferedImage src = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 28 * 28; i++) {
            float t = digit[i] / 255f;
            int r = Math.round(paper.getRed() + t * (ink.getRed() - paper.getRed()));
            int g = Math.round(paper.getGreen() + t * (ink.getGreen() - paper.getGreen()));
            int b = Math.round(paper.getBlue() + t * (ink.getBlue() - paper.getBlue()));
            src.setRGB(i % 28, i / 28, (r << 16) | (g << 8) | b);
        }
        boolean grey = paper.getRed() == paper.getGreen() && paper.getGreen() == paper.getBlue()
                && ink.getRed() == ink.getGreen() && ink.getGreen() == ink.getBlue();
        BufferedImage dst = new BufferedImage(w, h, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = dst.createGraphics();
        g.setColor(paper);
        g.fillRect(0, 0, w, h);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(src, x, y, size, size, null);
        g.dispose();
        return dst;
    }

    static int[][] readImages(Path file, int count) throws IOException {
        try (DataInputStream in = open(file)) {
            if (in.readInt() != 0x803) throw new IOException(file + " is not an IDX image file");
            in.readInt();
            int rows = in.readInt(), cols = in.readInt();
            int[][] out = new int[count][rows * cols];
            for (int[] img : out) for (int i = 0; i < img.length; i++) img[i] = in.readUnsignedByte();
            return out;
        }
    }

    static int[] readLabels(Path file, int count) throws IOException {
        try (DataInputStream in = open(file)) {
            if (in.readInt() != 0x801) throw new IOException(file + " is not an IDX label file");
            in.readInt();
            int[] out = new int[count];
            for (int i = 0; i < count; i++) out[i] = in.readUnsignedByte();
            return out;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        return new DataInputStream(new GZIPInputStream(in));
    }
}
