package dev.ingot.runtime.io;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * A PNG of grayscale images side by side with their reconstructions (an autoencoder's output):
 * pairs laid out in columns, each original above its reconstruction, pixels in [0, 1] (clamped),
 * scaled up for viewing. Written atomically.
 */
public final class ImageGrid {
    private ImageGrid() {}

    /**
     * @param originals {@code count} images of {@code h * w} values, row-major
     * @param outputs   their reconstructions, same layout
     * @param columns   pairs per row of the grid
     * @param scale     pixel size in the PNG
     */
    public static void writePairs(Path png, float[] originals, float[] outputs, int count, int h, int w, int columns, int scale) throws IOException {
        writeStacks(png, java.util.List.of(originals, outputs), count, h, w, columns, scale);
    }

    /**
     * Like {@link #writePairs} with any number of images per cell: cell {@code i} shows image {@code i} of
     * each of {@code layers}, top to bottom (e.g. a test image, its reconstruction, a decoded random latent).
     */
    public static void writeStacks(Path png, java.util.List<float[]> layers, int count, int h, int w, int columns, int scale) throws IOException {
        int k = layers.size();
        int rows = (count + columns - 1) / columns, gap = 2 * scale;
        int cellW = w * scale + gap, cellH = k * h * scale + gap + (k - 1) * scale;
        BufferedImage img = new BufferedImage(columns * cellW + gap, rows * cellH + gap, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) img.getRaster().setSample(x, y, 0, 64);
        for (int i = 0; i < count; i++) {
            int x0 = gap + (i % columns) * cellW, y0 = gap + (i / columns) * cellH;
            for (int l = 0; l < k; l++) draw(img, layers.get(l), i * h * w, h, w, x0, y0 + l * (h * scale + scale), scale);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", bytes)) throw new IOException("no PNG writer in this JDK");
        byte[] data = bytes.toByteArray();
        AtomicFile.write(png, ch -> AtomicFile.writeFully(ch, ByteBuffer.wrap(data)));
    }

    private static void draw(BufferedImage img, float[] v, int off, int h, int w, int x0, int y0, int scale) {
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++) {
                int g = Math.round(255 * Math.max(0f, Math.min(1f, v[off + r * w + c])));
                for (int dy = 0; dy < scale; dy++) for (int dx = 0; dx < scale; dx++) img.getRaster().setSample(x0 + c * scale + dx, y0 + r * scale + dy, 0, g);
            }
    }
}
