package dev.ingot.runtime.data;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.model.TrainConfig;

import java.util.List;
import java.util.Map;

/**
 * The options of a train block's data source ({@link TrainConfig.DataSpec}), read with clear
 * one-line errors: unknown options, missing required ones, numbers that are not numbers or out of
 * range. Values arrive as strings, numbers as their decimal text ({@code "64"}, {@code "0.1"};
 * {@code "64.0"} is accepted where an integer is expected).
 */
final class DataOptions {
    private final String kind;
    private final Map<String, String> options;

    /** Checks that every option of {@code spec} is one of {@code known}. */
    DataOptions(TrainConfig.DataSpec spec, List<String> known) {
        this.kind = spec.kind();
        this.options = spec.options();
        for (String key : options.keySet().stream().sorted().toList()) {
            if (!known.contains(key)) {
                throw new DataFormatException("unknown option '" + key + "' for data kind " + kind + " (options: " + String.join(", ", known) + ")");
            }
        }
    }

    /** A required string option; {@code what} explains it in the error, e.g. "the text file". */
    String required(String key, String what) {
        String v = options.get(key);
        if (v == null || v.isEmpty()) throw new DataFormatException("data kind " + kind + " needs the option " + key + " (" + what + ")");
        return v;
    }

    /** An optional string option, {@code def} when absent. */
    String string(String key, String def) {
        String v = options.get(key);
        return v == null ? def : v;
    }

    /** A boolean option ({@code true}/{@code false}, or 1/0 as numbers arrive); {@code def} when absent. */
    boolean bool(String key, boolean def) {
        String v = options.get(key);
        if (v == null) return def;
        return switch (v.trim()) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new DataFormatException("option " + key + " of data kind " + kind + " must be true or false, got '" + v + "'");
        };
    }

    /** An integer option in {@code [min, max]}; {@code def} when absent, or {@code null} for a required one. */
    int integer(String key, Integer def, int min, int max) {
        String v = options.get(key);
        if (v == null) {
            if (def == null) throw new DataFormatException("data kind " + kind + " needs the option " + key);
            return def;
        }
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new DataFormatException("option " + key + " of data kind " + kind + " is not a number: '" + v + "'");
        }
        if (d != Math.rint(d)) throw new DataFormatException("option " + key + " of data kind " + kind + " must be an integer, got " + v);
        if (d < min || d > max) {
            throw new DataFormatException("option " + key + " of data kind " + kind + " must be "
                    + (max == Integer.MAX_VALUE ? "at least " + min : "between " + min + " and " + max) + ", got " + v);
        }
        return (int) d;
    }

    /** A long option (a seed); {@code def} when absent. */
    long seed(String key, long def) {
        String v = options.get(key);
        if (v == null) return def;
        String t = v.trim();
        try {
            if (t.matches("-?\\d+")) return Long.parseLong(t);
            double d = Double.parseDouble(t);
            if (d != Math.rint(d) || Math.abs(d) >= 0x1p63) throw new NumberFormatException();
            return (long) d;
        } catch (NumberFormatException e) {
            throw new DataFormatException("option " + key + " of data kind " + kind + " must be an integer, got '" + v + "'");
        }
    }

    /** A fraction in {@code [0, max)}; {@code def} when absent. */
    double fraction(String key, double def, double max) {
        String v = options.get(key);
        if (v == null) return def;
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new DataFormatException("option " + key + " of data kind " + kind + " is not a number: '" + v + "'");
        }
        if (!(d >= 0 && d < max)) {
            throw new DataFormatException("option " + key + " of data kind " + kind + " must be a fraction in [0, " + (max == 1 ? "1" : max) + "), got " + v);
        }
        return d;
    }

    /** {@code "train"} or {@code "test"}; anything else is a programming error. */
    static boolean isTest(String split) {
        return switch (split) {
            case "train" -> false;
            case "test", "t10k", "val", "validation" -> true;
            default -> throw new IllegalArgumentException("unknown split '" + split + "', expected train or test");
        };
    }

    /** {@code 0 .. n-1}. */
    static int[] all(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    /**
     * The example indices of the train or test split of {@code n} examples: the last
     * {@code ceil(test * n)} are the test split, after a Fisher-Yates shuffle with {@code seed} when
     * {@code shuffle} (otherwise in order: a time series is tested on its most recent part).
     */
    static int[] holdOut(String source, int n, double test, boolean shuffle, long seed, boolean testSplit) {
        int[] r = all(n);
        if (shuffle) {
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1), t = r[i];
                r[i] = r[j];
                r[j] = t;
            }
        }
        int nTest = (int) Math.ceil(test * n);
        if (nTest >= n) throw new DataFormatException(source + ": " + n + " examples leave none for training with test = " + test);
        if (nTest == 0 && testSplit) throw new DataFormatException(source + ": test = " + test + " leaves no test examples (give a test fraction or a test file)");
        return testSplit ? java.util.Arrays.copyOfRange(r, n - nTest, n) : java.util.Arrays.copyOfRange(r, 0, n - nTest);
    }
}
