package dev.ingot.runtime.data;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.model.TrainConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A table of numbers in a CSV (or TSV) file as a dataset: the train block's
 * {@code csv("data/iris.csv", target = "species")}.
 *
 * <ul>
 *   <li>Format: UTF-8, one row per line, fields split on {@code delimiter} (default {@code ","};
 *       {@code "\t"} for TSV), RFC 4180 quotes ({@code "a, b"}, {@code ""} for a quote inside);
 *       a first line of column names when {@code header} (default true); blank lines skipped.</li>
 *   <li>Columns: {@code target} is the label column, a name from the header or a 0-based index
 *       (default: the last column); {@code features} the feature columns, names or indices
 *       separated by commas, or a range {@code "2:6"} (default: every other column).</li>
 *   <li>Labels: {@code target_type = "int"} (class ids, i32), {@code "float"} (regression, f32) or
 *       {@code "auto"} (default: int when every label is an integer like {@code 3}, else float).</li>
 *   <li>Split: a separate {@code test_file} with the same columns, or else the last {@code test}
 *       fraction (default 0.2) of the rows after a shuffle with {@code seed}.</li>
 *   <li>Windows ({@code window = W}, for time series): example {@code t} has as features the rows
 *       {@code t-W .. t-1} of the feature columns (shape {@code [W, features]}, default feature: the
 *       label column) and as label the label column at row {@code t}. Rows are not shuffled: the
 *       last {@code test} fraction of the examples is the test split, so the model is tested on the
 *       most recent part of the series.</li>
 * </ul>
 * Fields: {@code features} (f32, input) and {@code label} (target). Every malformed cell is an
 * error {@code file:line:column: what is wrong}.
 */
public final class Csv {
    /** Data source kind of the train block. */
    public static final String KIND = "csv";
    /** Options of {@link #KIND}, the file first. */
    public static final List<String> OPTIONS = List.of("file", "target", "features", "header", "delimiter", "target_type", "test", "test_file", "seed", "window");
    public static final double DEFAULT_TEST = 0.2;

    private Csv() {}

    /** A parsed CSV file: column names, and the cells of every row with the line and column it started at. */
    public record Table(Path file, List<String> names, List<String[]> rows, List<int[]> lines, List<int[]> columns) {
        /** Number of data rows. */
        public int size() { return rows.size(); }

        /** The number in row {@code r}, column {@code c}; an error naming the file, line and column if it is not one. */
        public float number(int r, int c) {
            String s = rows.get(r)[c].strip();
            if (s.isEmpty()) throw error(r, c, "empty value in column " + describe(c) + " (expected a number)");
            if (!looksNumeric(s)) throw error(r, c, "'" + clip(s) + "' in column " + describe(c) + " is not a number");
            double d;
            try {
                d = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw error(r, c, "'" + clip(s) + "' in column " + describe(c) + " is not a number");
            }
            if (!Double.isFinite(d) || Math.abs(d) > Float.MAX_VALUE) throw error(r, c, "'" + clip(s) + "' in column " + describe(c) + " is not a finite float32 number");
            return (float) d;
        }

        /** Whether the cell holds an integer literal such as {@code 3} or {@code -1}. */
        boolean isInteger(int r, int c) { return rows.get(r)[c].strip().matches("[+-]?\\d{1,9}"); }

        /** {@code 3 ('temp')} or {@code 3} without a header (1-based, as a spreadsheet counts). */
        String describe(int c) { return (c + 1) + (c < names.size() && !names.get(c).isEmpty() ? " ('" + names.get(c) + "')" : ""); }

        DataFormatException error(int r, int c, String message) {
            return new DataFormatException(file + ":" + lines.get(r)[c] + ":" + columns.get(r)[c] + ": " + message);
        }

        private static boolean looksNumeric(String s) {
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (!(ch >= '0' && ch <= '9') && ch != '.' && ch != '-' && ch != '+' && ch != 'e' && ch != 'E') return false;
            }
            return true;
        }
    }

    /**
     * Reads a CSV file. Every data row must have as many fields as the first row (or the header).
     *
     * @param delimiter the field separator
     * @param header    whether the first non-blank line holds column names
     */
    public static Table read(Path file, char delimiter, boolean header) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(file + ": no such file", e);
        } catch (IOException e) {
            throw new DataFormatException(file + ": cannot read: " + e.getMessage(), e);
        }
        String text = CharCorpus.utf8(file, bytes);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<String[]> rows = new ArrayList<>();
        List<int[]> lines = new ArrayList<>(), cols = new ArrayList<>();
        List<String> cells = new ArrayList<>();
        List<Integer> cellLine = new ArrayList<>(), cellCol = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int line = 1, col = 1, i = 0, n = text.length();
        while (i <= n) {
            // one field starts here
            int fieldLine = line, fieldCol = col;
            cur.setLength(0);
            boolean quoted = false;
            while (i < n && text.charAt(i) == ' ') { cur.append(' '); i++; col++; }
            if (i < n && text.charAt(i) == '"') {
                quoted = true;
                cur.setLength(0);
                i++;
                col++;
                while (true) {
                    if (i >= n) throw new DataFormatException(file + ":" + fieldLine + ":" + fieldCol + ": a quoted field is not closed (missing '\"')");
                    char ch = text.charAt(i++);
                    col++;
                    if (ch == '"') {
                        if (i < n && text.charAt(i) == '"') { cur.append('"'); i++; col++; continue; }
                        break;
                    }
                    if (ch == '\n') { line++; col = 1; }
                    cur.append(ch);
                }
                while (i < n && text.charAt(i) == ' ') { i++; col++; }
            }
            while (i < n && text.charAt(i) != delimiter && text.charAt(i) != '\n') {
                char ch = text.charAt(i);
                if (quoted && ch != '\r') {
                    throw new DataFormatException(file + ":" + line + ":" + col + ": unexpected '" + ch + "' after a quoted field (expected '" + printable(delimiter) + "' or the end of the line)");
                }
                if (ch != '\r' || i + 1 < n && text.charAt(i + 1) != '\n') cur.append(ch);
                i++;
                col++;
            }
            cells.add(cur.toString());
            cellLine.add(fieldLine);
            cellCol.add(fieldCol);
            boolean endOfRow = i >= n || text.charAt(i) == '\n';
            i++;
            col++;
            if (endOfRow) {
                boolean blank = cells.size() == 1 && cells.get(0).isBlank();
                if (!blank) {
                    rows.add(cells.toArray(new String[0]));
                    lines.add(cellLine.stream().mapToInt(Integer::intValue).toArray());
                    cols.add(cellCol.stream().mapToInt(Integer::intValue).toArray());
                }
                cells.clear();
                cellLine.clear();
                cellCol.clear();
                line++;
                col = 1;
            }
        }
        if (rows.isEmpty()) throw new DataFormatException(file + ": the file is empty (expected rows of comma-separated numbers)");
        List<String> names;
        if (header) {
            names = new ArrayList<>();
            for (String s : rows.remove(0)) names.add(s.strip());
            lines.remove(0);
            cols.remove(0);
        } else {
            names = new ArrayList<>();
            for (int c = 0; c < rows.get(0).length; c++) names.add("");
        }
        int width = names.size();
        for (int r = 0; r < rows.size(); r++) {
            if (rows.get(r).length != width) {
                int[] l = lines.get(r);
                throw new DataFormatException(file + ":" + l[0] + ":1: this row has " + rows.get(r).length + " field" + (rows.get(r).length == 1 ? "" : "s") + " but "
                        + (header ? "the header has " : "the first row has ") + width + " (delimiter '" + printable(delimiter) + "')");
            }
        }
        if (rows.isEmpty()) throw new DataFormatException(file + ": no data rows after the header");
        return new Table(file, List.copyOf(names), rows, lines, cols);
    }

    /** Split {@code "train"} or {@code "test"} of a {@code csv} data source; relative paths resolve against {@code baseDir}. */
    public static Dataset dataset(TrainConfig.DataSpec spec, Path baseDir, String split) throws IOException {
        Options o = Options.of(spec);
        boolean test = DataOptions.isTest(split);
        Table table = read(baseDir.resolve(test && o.testFile != null ? o.testFile : o.file), o.delimiter, o.header);
        int label = column(table, o.label, "target", table.names().size() - 1);
        int[] features = features(table, o, label);
        boolean ints = switch (o.labelType) {
            case "int" -> true;
            case "float" -> false;
            default -> o.window == 0 && allIntegers(table, label); // a series is regression
        };
        // every cell is checked, whichever split is asked for: a bad file fails the same way for both
        float[][] x = new float[table.size()][features.length];
        for (int r = 0; r < table.size(); r++) for (int j = 0; j < features.length; j++) x[r][j] = table.number(r, features[j]);
        int[] yi = ints ? new int[table.size()] : null;
        float[] yf = ints ? null : new float[table.size()];
        for (int r = 0; r < table.size(); r++) {
            if (ints) yi[r] = classId(table, r, label);
            else yf[r] = table.number(r, label);
        }
        int[] rows = rows(table, o, test);
        // an example is the row itself, or for windows the `window` rows before its target row
        int w = Math.max(1, o.window), back = o.window > 0 ? o.window : 0, f = features.length;
        float[] out = new float[rows.length * w * f];
        for (int i = 0; i < rows.length; i++)
            for (int s = 0; s < w; s++) System.arraycopy(x[rows[i] - back + s], 0, out, (i * w + s) * f, f);
        Dataset.Field y;
        if (ints) {
            int[] v = new int[rows.length];
            for (int i = 0; i < rows.length; i++) v[i] = yi[rows[i]];
            y = Dataset.Field.i32("label", new int[] {}, v, Dataset.Role.TARGET);
        } else {
            float[] v = new float[rows.length];
            for (int i = 0; i < rows.length; i++) v[i] = yf[rows[i]];
            y = Dataset.Field.f32("label", new int[] {}, v, Dataset.Role.TARGET);
        }
        int[] shape = o.window > 0 ? new int[] {w, f} : new int[] {f};
        return Dataset.of(Dataset.Field.f32("features", shape, out, Dataset.Role.INPUT), y);
    }

    /**
     * The mean squared error of the naive forecast "the next value equals the last one" on the test
     * split of a windowed source: the mean over test examples of {@code (label[t-1] - label[t])^2}.
     * The number a forecasting model has to beat.
     */
    public static double lastValueBaselineMse(TrainConfig.DataSpec spec, Path baseDir) throws IOException {
        Options o = Options.of(spec);
        if (o.window == 0) throw new DataFormatException("a last-value baseline needs a windowed csv source (csv(..., window = N))");
        Table table = read(baseDir.resolve(o.testFile != null ? o.testFile : o.file), o.delimiter, o.header);
        int label = column(table, o.label, "target", table.names().size() - 1);
        double sum = 0;
        int[] rows = rows(table, o, true);
        for (int t : rows) {
            double d = table.number(t - 1, label) - table.number(t, label);
            sum += d * d;
        }
        return sum / rows.length;
    }

    /** Whether a data source is a windowed {@code csv} (a time series). */
    public static boolean isWindowed(TrainConfig.DataSpec spec) {
        return spec.kind().equals(KIND) && spec.options().containsKey("window") && !spec.options().get("window").trim().matches("0(\\.0)?");
    }

    private record Options(String file, String testFile, String label, String features, boolean header, char delimiter, String labelType,
                           double test, long seed, int window) {
        static Options of(TrainConfig.DataSpec spec) {
            DataOptions o = new DataOptions(spec, OPTIONS);
            String file = o.required("file", "the CSV file");
            String d = o.string("delimiter", ",");
            if (d.equals("\\t") || d.equals("tab")) d = "\t";
            if (d.length() != 1) throw new DataFormatException("option delimiter of data kind csv must be one character (\",\", \";\", \"\\t\"), got '" + d + "'");
            String lt = o.string("target_type", "auto");
            if (!List.of("auto", "int", "float").contains(lt)) throw new DataFormatException("option target_type of data kind csv must be \"int\", \"float\" or \"auto\", got '" + lt + "'");
            return new Options(file, o.string("test_file", null), o.string("target", null), o.string("features", null), o.bool("header", true),
                    d.charAt(0), lt, o.fraction("test", DEFAULT_TEST, 1), o.seed("seed", 1), o.integer("window", 0, 0, 1 << 20));
        }
    }

    /** The rows (for windows: the target rows) of a split, in order for windows, shuffled otherwise. */
    private static int[] rows(Table table, Options o, boolean test) {
        int n = table.size() - o.window;
        if (n < 1) throw new DataFormatException(table.file() + ": " + table.size() + " rows are too few for windows of " + o.window + " (at least " + (o.window + 1) + ")");
        int[] r = o.testFile != null ? DataOptions.all(n) : DataOptions.holdOut(table.file().toString(), n, o.test, o.window == 0, o.seed, test);
        for (int i = 0; i < r.length; i++) r[i] += o.window;
        return r;
    }

    private static int classId(Table t, int r, int label) {
        if (!t.isInteger(r, label)) {
            throw t.error(r, label, "'" + clip(t.rows().get(r)[label].strip()) + "' in target column " + t.describe(label)
                    + " is not an integer class id (for regression, write target_type = \"float\")");
        }
        return Integer.parseInt(t.rows().get(r)[label].strip().replace("+", ""));
    }

    private static boolean allIntegers(Table t, int label) {
        for (int r = 0; r < t.size(); r++) if (!t.isInteger(r, label)) return false;
        return true;
    }

    /** A column given by header name or 0-based index; {@code def} when not given. */
    private static int column(Table t, String spec, String what, int def) {
        if (spec == null) return def;
        String s = spec.strip();
        int i = t.names().indexOf(s);
        if (i >= 0) return i;
        if (s.matches("\\d+")) {
            int c = Integer.parseInt(s);
            if (c < t.names().size()) return c;
            throw new DataFormatException(t.file() + ": " + what + " column " + c + " is out of range: the file has " + t.names().size() + " columns (0-based indices 0.." + (t.names().size() - 1) + ")");
        }
        throw new DataFormatException(t.file() + ": no " + what + " column '" + s + "'" + (t.names().stream().allMatch(String::isEmpty)
                ? " (the file has no header; give a 0-based index)" : "; columns: " + String.join(", ", t.names())));
    }

    private static int[] features(Table t, Options o, int label) {
        if (o.features == null) {
            if (o.window > 0) return new int[] {label};
            int[] r = new int[t.names().size() - 1];
            for (int c = 0, k = 0; c < t.names().size(); c++) if (c != label) r[k++] = c;
            if (r.length == 0) throw new DataFormatException(t.file() + ": one column only, which is the label; no features (give window = N for a time series)");
            return r;
        }
        List<Integer> cols = new ArrayList<>();
        for (String part : o.features.split(",")) {
            String p = part.strip();
            if (p.matches("\\d*:\\d*")) {
                String[] ab = p.split(":", -1);
                int a = ab[0].isEmpty() ? 0 : Integer.parseInt(ab[0]), b = ab[1].isEmpty() ? t.names().size() : Integer.parseInt(ab[1]);
                if (a >= b || b > t.names().size()) throw new DataFormatException(t.file() + ": feature range " + p + " is not within the " + t.names().size() + " columns");
                for (int c = a; c < b; c++) cols.add(c);
            } else cols.add(column(t, p, "feature", -1));
        }
        if (o.window == 0 && cols.contains(label)) throw new DataFormatException(t.file() + ": column " + t.describe(label) + " is both a feature and the label");
        return cols.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String printable(char c) { return c == '\t' ? "\\t" : String.valueOf(c); }

    private static String clip(String s) { return s.length() > 24 ? s.substring(0, 24) + "..." : s; }
}
