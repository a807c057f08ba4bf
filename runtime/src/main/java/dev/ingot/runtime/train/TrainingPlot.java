package dev.ingot.runtime.train;

import dev.ingot.runtime.io.AtomicFile;
import dev.ingot.runtime.io.DataFormatException;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Training curves as a PNG, drawn with java.awt (headless): on the left the training and test loss
 * per epoch (or per evaluation of a run in steps), on the right the test accuracy when the run has
 * one. A horizontal line marks a baseline when the metrics carry one ({@code baseline_mse}).
 */
public final class TrainingPlot {
    private TrainingPlot() {}

    static {
        // no display needed (servers, CI); an explicit setting wins
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /** The curves of one run: x values (epochs or steps) and the series, NaN where absent. */
    public record Series(String title, String xLabel, double[] x, double[] trainLoss, double[] testLoss, double[] accuracy,
                         String lossLabel, String testLabel, double baseline) {
        /** The curves of a metrics JSON object as {@code train --metrics} writes it ({@code history}). */
        public static Series fromMetrics(String source, Map<?, ?> m) {
            if (!(m.get("history") instanceof List<?> h) || h.isEmpty()) {
                throw new DataFormatException(source + ": no training history (\"history\": [...]) to plot; write it with train --metrics");
            }
            int n = h.size();
            double[] x = new double[n], tr = new double[n], te = new double[n], acc = new double[n];
            boolean steps = h.get(0) instanceof Map<?, ?> first && first.containsKey("step");
            for (int i = 0; i < n; i++) {
                if (!(h.get(i) instanceof Map<?, ?> e)) throw new DataFormatException(source + ": history entry " + i + " is not an object");
                x[i] = num(e.get(steps ? "step" : "epoch"), i + 1);
                tr[i] = num(e.get("train_loss"), Double.NaN);
                te[i] = num(e.get("test_loss"), Double.NaN);
                acc[i] = num(e.get("test_accuracy"), Double.NaN);
            }
            boolean chars = "chars".equals(m.get("data"));
            boolean mse = m.containsKey("test_mse");
            String title = String.valueOf(m.get("model") == null ? "training" : m.get("model"))
                    + (m.get("source") != null ? " (" + m.get("source") + ")" : "");
            return new Series(title, steps ? "step" : "epoch", x, tr, te, acc, mse ? "loss (MSE)" : chars ? "loss (nats/char)" : "loss",
                    chars ? "validation" : "test", num(m.get("baseline_mse"), Double.NaN));
        }

        private static double num(Object o, double def) { return o instanceof Number v ? v.doubleValue() : def; }
    }

    private static final Color TRAIN = new Color(0x1f77b4), TEST = new Color(0xd62728), ACC = new Color(0x2ca02c), GRID = new Color(0xe6e6e6);

    /** Writes the PNG (atomically). */
    public static void write(Path png, Series s) throws IOException {
        boolean acc = false;
        for (double a : s.accuracy()) acc |= !Double.isNaN(a);
        int panel = 520, h = 400, w = acc ? 2 * panel : panel;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.DARK_GRAY);
        g.drawString(s.title(), 16, 22);
        List<Line> losses = new ArrayList<>(List.of(new Line("train", s.trainLoss(), TRAIN), new Line(s.testLabel(), s.testLoss(), TEST)));
        panel(g, 0, 30, panel, h - 30, s.lossLabel(), s.xLabel(), s.x(), losses, s.baseline());
        if (acc) panel(g, panel, 30, panel, h - 30, s.testLabel() + " accuracy", s.xLabel(), s.x(), List.of(new Line(s.testLabel(), s.accuracy(), ACC)), Double.NaN);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        byte[] bytes = out.toByteArray();
        AtomicFile.write(png, ch -> AtomicFile.writeFully(ch, java.nio.ByteBuffer.wrap(bytes)));
    }

    private record Line(String name, double[] y, Color color) {}

    private static void panel(Graphics2D g, int x0, int y0, int w, int h, String yLabel, String xLabel, double[] x, List<Line> lines, double baseline) {
        int left = x0 + 70, right = x0 + w - 20, top = y0 + 30, bottom = y0 + h - 50;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Line l : lines) for (double v : l.y()) if (!Double.isNaN(v) && !Double.isInfinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        if (!Double.isNaN(baseline)) { lo = Math.min(lo, baseline); hi = Math.max(hi, baseline); }
        if (lo > hi) { lo = 0; hi = 1; }
        // a loss that falls by orders of magnitude reads better on a log scale
        boolean log = lo > 0 && hi / lo > 30;
        if (log) {
            logPanel(g, left, right, top, bottom, yLabel, xLabel, x, lines, baseline, lo, hi);
            return;
        }
        if (hi - lo < 1e-12) { hi += 0.5 * Math.max(Math.abs(hi), 1e-3); lo -= 0.5 * Math.max(Math.abs(lo), 1e-3); }
        double pad = 0.05 * (hi - lo);
        lo -= pad;
        hi += pad;
        double xlo = x[0], xhi = x[x.length - 1];
        if (xhi <= xlo) { xlo -= 1; xhi += 1; }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        // grid and ticks
        double step = niceStep((hi - lo) / 5);
        for (double t = Math.ceil(lo / step) * step; t <= hi; t += step) {
            int py = py(t, lo, hi, top, bottom);
            g.setColor(GRID);
            g.drawLine(left, py, right, py);
            g.setColor(Color.GRAY);
            String label = fmt(t, step);
            g.drawString(label, left - 6 - fm.stringWidth(label), py + 4);
        }
        xAxis(g, fm, xLabel, xlo, xhi, left, right, top, bottom);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.setColor(Color.DARK_GRAY);
        g.drawString(yLabel, left, top - 10);
        if (!Double.isNaN(baseline)) baselineLine(g, py(baseline, lo, hi, top, bottom), left, right, baseline);
        final double flo = lo, fhi = hi;
        curves(g, x, lines, xlo, xhi, left, right, top, bottom, v -> py(v, flo, fhi, top, bottom));
    }

    /** The same panel with a log10 y axis: ticks at the powers of ten (and 2 and 5 times them over a short range). */
    private static void logPanel(Graphics2D g, int left, int right, int top, int bottom, String yLabel, String xLabel, double[] x,
                                 List<Line> lines, double baseline, double lo, double hi) {
        double llo = Math.log10(lo) - 0.05 * Math.log10(hi / lo), lhi = Math.log10(hi) + 0.05 * Math.log10(hi / lo);
        double xlo = x[0], xhi = x[x.length - 1];
        if (xhi <= xlo) { xlo -= 1; xhi += 1; }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        boolean fine = lhi - llo < 2.5;
        for (int k = (int) Math.floor(llo); k <= Math.ceil(lhi); k++) {
            for (double m : fine ? new double[] {1, 2, 5} : new double[] {1}) {
                double v = m * Math.pow(10, k);
                double lv = Math.log10(v);
                if (lv < llo || lv > lhi) continue;
                int py = py(lv, llo, lhi, top, bottom);
                g.setColor(GRID);
                g.drawLine(left, py, right, py);
                g.setColor(Color.GRAY);
                String label = v >= 1e-3 && v < 1e4 ? String.format(Locale.ROOT, "%s", trim(v)) : String.format(Locale.ROOT, "%.0e", v);
                g.drawString(label, left - 6 - fm.stringWidth(label), py + 4);
            }
        }
        xAxis(g, fm, xLabel, xlo, xhi, left, right, top, bottom);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.setColor(Color.DARK_GRAY);
        g.drawString(yLabel + " (log scale)", left, top - 10);
        if (!Double.isNaN(baseline)) baselineLine(g, py(Math.log10(baseline), llo, lhi, top, bottom), left, right, baseline);
        curves(g, x, lines, xlo, xhi, left, right, top, bottom, v -> v > 0 ? py(Math.log10(v), llo, lhi, top, bottom) : bottom);
    }

    private static String trim(double v) {
        String t = String.format(Locale.ROOT, "%.4f", v);
        return t.contains(".") ? t.replaceAll("0+$", "").replaceAll("\\.$", "") : t;
    }

    private static void xAxis(Graphics2D g, FontMetrics fm, String xLabel, double xlo, double xhi, int left, int right, int top, int bottom) {
        double xstep = Math.max(niceStep((xhi - xlo) / 6), xLabel.equals("epoch") ? 1 : 0);
        for (double t = Math.ceil(xlo / xstep) * xstep; t <= xhi + 1e-9; t += xstep) {
            int px = px(t, xlo, xhi, left, right);
            g.setColor(GRID);
            g.drawLine(px, top, px, bottom);
            g.setColor(Color.GRAY);
            String label = fmt(t, xstep);
            g.drawString(label, px - fm.stringWidth(label) / 2, bottom + 16);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(left, top, right - left, bottom - top);
        g.drawString(xLabel, (left + right) / 2 - fm.stringWidth(xLabel) / 2, bottom + 34);
    }

    private static void baselineLine(Graphics2D g, int py, int left, int right, double baseline) {
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
        g.drawLine(left, py, right, py);
        g.setStroke(new BasicStroke(1f));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString(String.format(Locale.ROOT, "naive last-value forecast %.4g", baseline), left + 6, py - 5);
    }

    /** Maps a value to a y pixel. */
    private interface YMap { int y(double v); }

    /** The lines, then a legend in a white box at the top right. */
    private static void curves(Graphics2D g, double[] x, List<Line> lines, double xlo, double xhi, int left, int right, int top, int bottom, YMap ym) {
        List<Line> shown = new ArrayList<>();
        boolean endsHigh = false; // a curve ending in the top third: the legend goes to the bottom
        for (Line l : lines) {
            boolean any = false;
            g.setColor(l.color());
            g.setStroke(new BasicStroke(2f));
            int prevX = 0, prevY = 0;
            boolean havePrev = false;
            for (int i = 0; i < x.length; i++) {
                double v = l.y()[i];
                if (Double.isNaN(v) || Double.isInfinite(v)) { havePrev = false; continue; }
                any = true;
                int px = px(x[i], xlo, xhi, left, right), py = ym.y(v);
                if (havePrev) g.drawLine(prevX, prevY, px, py);
                if (x.length <= 60) g.fillOval(px - 3, py - 3, 6, 6);
                prevX = px;
                prevY = py;
                havePrev = true;
            }
            if (any) shown.add(l);
            if (havePrev && prevY < top + (bottom - top) / 3) endsHigh = true;
        }
        g.setStroke(new BasicStroke(1f));
        if (shown.isEmpty()) return;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int bw = 30 + shown.stream().mapToInt(l -> g.getFontMetrics().stringWidth(l.name())).max().orElse(0) + 12;
        int bh = 8 + 16 * shown.size(), bx = right - bw - 8, by = endsHigh ? bottom - bh - 8 : top + 8;
        g.setColor(new Color(255, 255, 255, 235));
        g.fillRect(bx, by, bw, bh);
        g.setColor(Color.LIGHT_GRAY);
        g.drawRect(bx, by, bw, bh);
        int ly = by + 16;
        for (Line l : shown) {
            g.setColor(l.color());
            g.setStroke(new BasicStroke(2f));
            g.drawLine(bx + 6, ly - 4, bx + 28, ly - 4);
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.DARK_GRAY);
            g.drawString(l.name(), bx + 34, ly);
            ly += 16;
        }
    }

    private static int px(double v, double lo, double hi, int left, int right) { return (int) Math.round(left + (v - lo) / (hi - lo) * (right - left)); }

    private static int py(double v, double lo, double hi, int top, int bottom) { return (int) Math.round(bottom - (v - lo) / (hi - lo) * (bottom - top)); }

    /** 1, 2 or 5 times a power of ten, near {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
        return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
    }

    private static String fmt(double v, double step) {
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(v) < step * 1e-6 ? 0.0 : v);
    }
}
