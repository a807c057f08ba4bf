package dev.ingot.compiler.pass;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What passes share: an optional directory for IR dumps after each step, and counters of what each
 * pass did (reported by {@code --dump-ir}).
 */
public final class PassContext {
    private final Path dumpDir;
    private final Map<String, Integer> counters = new LinkedHashMap<>();
    private int step;

    public PassContext(Path dumpDir) { this.dumpDir = dumpDir; }

    public static PassContext test() { return new PassContext(null); }

    public Path dumpDir() { return dumpDir; }
    public int nextStep() { return step++; }

    public void count(String what, int n) { counters.merge(what, n, Integer::sum); }
    public Map<String, Integer> counters() { return counters; }
}
