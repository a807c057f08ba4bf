package com.example.digits;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Turns a picture of one handwritten digit (PNG, JPEG, ...; any size, colour or grey) into the
 * model's input: 28x28 values in [0, 1], prepared the way MNIST's digits were.
 *
 * <ol>
 *   <li>Grey level per pixel (transparent pixels count as white paper).</li>
 *   <li>MNIST digits are white on black: when the border of the picture is light (dark ink on
 *       paper), the grey levels are inverted.</li>
 *   <li>The background level (the border's mean) is subtracted and the contrast stretched so the
 *       strongest ink is 1.</li>
 *   <li>The digit's bounding box is cropped and scaled, keeping its aspect ratio, so that its longer
 *       side is 20 pixels (antialiased: a tent filter as wide as the scale factor).</li>
 *   <li>It is placed in a 28x28 field with its centre of mass on pixel (14, 14), where MNIST's
 *       digits have theirs.</li>
 * </ol>
 */
public final class DigitImage {
    private DigitImage() {}

    /** Side of the model's input image. */
    public static final int SIZE = 28;
    /** Side of the box the digit is scaled into (as in MNIST). */
    static final int BOX = 20;
    /** Ink below this (after stretching) is not part of the bounding box. */
    static final float INK = 0.2f;

    /** Reads an image file and prepares it; fails with a clear message if the file is not an image. */
    public static float[] read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("no such image file: " + file);
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) throw new IOException(file + " is not an image that javax.imageio can read (PNG, JPEG, GIF, BMP)");
        return toMnist(img);
    }

    /** The 28x28 model input (row-major, in [0, 1]) for an image of one digit. */
    public static float[] toMnist(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        float[] v = grey(img);

        // Polarity and background from the border (a frame 1/16 of the size wide, at least 1 pixel).
        int fw = Math.max(1, w / 16), fh = Math.max(1, h / 16);
        double sum = 0;
        int count = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (x < fw || x >= w - fw || y < fh || y >= h - fh) {
                    sum += v[y * w + x];
                    count++;
                }
            }
        }
        double border = sum / count;
        boolean darkInk = border > 0.5;
        float background = (float) (darkInk ? 1 - border : border);
        float max = 0;
        for (int i = 0; i < v.length; i++) {
            float ink = darkInk ? 1 - v[i] : v[i];
            v[i] = Math.max(0, ink - background);
            max = Math.max(max, v[i]);
        }
        float[] out = new float[SIZE * SIZE];
        if (max < 1e-3f) return out; // a blank picture
        for (int i = 0; i < v.length; i++) v[i] /= max;

        // Bounding box of the ink.
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (v[y * w + x] >= INK) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        int cw = x1 - x0 + 1, ch = y1 - y0 + 1;
        float[] crop = new float[cw * ch];
        for (int y = 0; y < ch; y++) System.arraycopy(v, (y0 + y) * w + x0, crop, y * cw, cw);

        // Longer side to 20 pixels, aspect ratio kept.
        double scale = (double) BOX / Math.max(cw, ch);
        int sw = Math.max(1, (int) Math.round(cw * scale)), sh = Math.max(1, (int) Math.round(ch * scale));
        float[] small = resize(crop, cw, ch, sw, sh);

        // Centre of mass (in pixel indices) to pixel (14, 14), as in MNIST.
        double mass = 0, mx = 0, my = 0;
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                float p = small[y * sw + x];
                mass += p;
                mx += p * x;
                my += p * y;
            }
        }
        int ox = (int) Math.round(SIZE / 2 - mx / mass), oy = (int) Math.round(SIZE / 2 - my / mass);
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                int tx = x + ox, ty = y + oy;
                if (tx >= 0 && tx < SIZE && ty >= 0 && ty < SIZE) out[ty * SIZE + tx] = Math.min(1, small[y * sw + x]);
            }
        }
        return out;
    }

    /** Grey levels in [0, 1] (Rec. 601 luma), alpha composited over white. */
    static float[] grey(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        float[] v = new float[w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                float a = (argb >>> 24) / 255f;
                float luma = (0.299f * ((argb >> 16) & 0xff) + 0.587f * ((argb >> 8) & 0xff) + 0.114f * (argb & 0xff)) / 255f;
                v[y * w + x] = a * luma + (1 - a);
            }
        }
        return v;
    }

    /** Resizes a w x h image to tw x th, separably, with a tent filter (bilinear when enlarging, antialiased when shrinking). */
    static float[] resize(float[] src, int w, int h, int tw, int th) {
        float[] horizontal = new float[tw * h];
        for (int y = 0; y < h; y++) resample(src, y * w, 1, w, horizontal, y * tw, 1, tw);
        float[] out = new float[tw * th];
        for (int x = 0; x < tw; x++) resample(horizontal, x, tw, h, out, x, tw, th);
        return out;
    }

    /** One line of {@code n} samples (at {@code off}, every {@code stride}) to {@code m} samples. */
    private static void resample(float[] src, int off, int stride, int n, float[] dst, int dOff, int dStride, int m) {
        double scale = (double) n / m;
        double support = Math.max(1.0, scale);
        for (int i = 0; i < m; i++) {
            double centre = (i + 0.5) * scale;
            int lo = Math.max(0, (int) Math.floor(centre - support)), hi = Math.min(n - 1, (int) Math.ceil(centre + support));
            double acc = 0, weights = 0;
            for (int j = lo; j <= hi; j++) {
                double wt = 1 - Math.abs(j + 0.5 - centre) / support;
                if (wt <= 0) continue;
                acc += wt * src[off + j * stride];
                weights += wt;
            }
            dst[dOff + i * dStride] = weights > 0 ? (float) (acc / weights) : 0;
        }
    }

    /** The 28x28 input as text, darkest to brightest ' .:-=+*#%@' (to see what the model sees). */
    public static String ascii(float[] pixels) {
        String ramp = " .:-=+*#%@";
        StringBuilder sb = new StringBuilder();
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int k = Math.min(ramp.length() - 1, (int) (pixels[y * SIZE + x] * ramp.length()));
                sb.append(ramp.charAt(k)).append(ramp.charAt(k));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
