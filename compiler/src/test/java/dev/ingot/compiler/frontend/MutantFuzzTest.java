package dev.ingot.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.diag.CompileError;
import dev.ingot.compiler.ir.SourceLoc;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutants of every example model (token deletions, swaps, duplications, truncations, random bytes,
 * invalid UTF-8, huge and zero numbers) through {@link Compiler#check}, as {@code ingot check} runs it,
 * in one JVM: each must compile or fail with a positioned DSL error, never an internal error or a
 * hang. Seeded; {@code -Dingot.fuzz.mutants=N} (default 300) and {@code -Dingot.fuzz.seed=S} for more.
 */
class MutantFuzzTest {
    @TempDir Path tmp;

    private static final Pattern TOKEN = Pattern.compile("[A-Za-z_][A-Za-z_0-9.]*|[0-9][0-9_.eE]*|\\s+|//[^\\n]*|\"[^\"\\n]*\"|.");
    private static final String[] NUMBERS = {"0", "-1", "1e999", "3e38", "99999999999", "2147483647", "2000000000", "1e-999", "0.0", "65536"};

    @Test void mutantsCompileOrFailWithAPositionedError() throws Exception {
        int count = Integer.getInteger("ingot.fuzz.mutants", 300);
        long seed = Long.getLong("ingot.fuzz.seed", 13);
        List<Path> examples;
        Path dir = examplesDir();
        try (Stream<Path> s = Files.list(dir)) {
            examples = s.filter(p -> p.toString().endsWith(".ingot")).sorted().toList();
        }
        assertFalse(examples.isEmpty());
        SplittableRandom rnd = new SplittableRandom(seed);
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "fuzz", 64L << 20);
            t.setDaemon(true);
            return t;
        });
        int compiled = 0, errors = 0;
        try {
            for (int i = 0; i < count; i++) {
                Path example = examples.get(rnd.nextInt(examples.size()));
                String text = Files.readString(example);
                StringBuilder what = new StringBuilder();
                byte[] mutant = mutate(text, rnd, what);
                Path f = tmp.resolve(example.getFileName());
                Files.write(f, mutant);
                String label = "mutant " + i + " (seed " + seed + ") of " + example.getFileName() + ": " + what;
                Future<Throwable> job = worker.submit(() -> {
                    try {
                        Compiler.check(SourceFile.read(f), Compiler.Options.defaults());
                        return null;
                    } catch (Throwable t) {
                        return t;
                    }
                });
                Throwable t;
                try {
                    t = job.get(120, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    fail("hang: " + label);
                    return;
                }
                if (t == null) {
                    compiled++;
                } else if (t instanceof CompileError ce) {
                    errors++;
                    assertTrue(ce.loc() != SourceLoc.NONE && ce.loc().line() >= 1, "no position: " + ce.render() + "\n" + label);
                    assertTrue(ce.render().length() < 3000, "error of " + ce.render().length() + " characters: " + label);
                } else {
                    throw new AssertionError("internal error for " + label + "\n" + new String(mutant, StandardCharsets.UTF_8), t);
                }
            }
        } finally {
            worker.shutdownNow();
        }
        System.out.println("fuzz: " + count + " mutants, " + compiled + " compiled, " + errors + " positioned errors");
        assertTrue(errors > 0, "the mutants do reach errors");
    }

    private static Path examplesDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent())
            if (Files.isDirectory(p.resolve("dsl-examples"))) return p.resolve("dsl-examples");
        throw new IllegalStateException("dsl-examples not found");
    }

    /** One to three mutations of the text, described in {@code what}. */
    static byte[] mutate(String text, SplittableRandom rnd, StringBuilder what) {
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) tokens.add(m.group());
        int kinds = 1 + rnd.nextInt(3);
        byte[] raw = null;
        for (int k = 0; k < kinds; k++) {
            int i = rnd.nextInt(tokens.size());
            switch (rnd.nextInt(8)) {
                case 0 -> { what.append("delete '").append(tokens.get(i)).append("'; "); tokens.remove(i); }
                case 1 -> {
                    int j = Math.min(tokens.size() - 1, i + 1 + rnd.nextInt(3));
                    what.append("swap '").append(tokens.get(i)).append("' and '").append(tokens.get(j)).append("'; ");
                    String t = tokens.get(i);
                    tokens.set(i, tokens.get(j));
                    tokens.set(j, t);
                }
                case 2 -> { what.append("duplicate '").append(tokens.get(i)).append("'; "); tokens.add(i, tokens.get(i)); }
                case 3 -> { what.append("truncate at token ").append(i).append("; "); tokens.subList(i, tokens.size()).clear(); tokens.add(" "); }
                case 4 -> {
                    List<Integer> nums = new ArrayList<>();
                    for (int t = 0; t < tokens.size(); t++) if (Character.isDigit(tokens.get(t).charAt(0))) nums.add(t);
                    if (nums.isEmpty()) break;
                    int t = nums.get(rnd.nextInt(nums.size()));
                    String n = NUMBERS[rnd.nextInt(NUMBERS.length)];
                    what.append("number '").append(tokens.get(t)).append("' -> ").append(n).append("; ");
                    tokens.set(t, n);
                }
                case 5 -> {
                    String t = tokens.get(rnd.nextInt(tokens.size()));
                    what.append("insert '").append(t).append("' at ").append(i).append("; ");
                    tokens.add(i, t);
                }
                default -> raw = new byte[] {(byte) rnd.nextInt(256), (byte) rnd.nextInt(256), (byte) (0x80 + rnd.nextInt(64))};
            }
            if (tokens.isEmpty()) tokens.add(" ");
        }
        byte[] body = String.join("", tokens).getBytes(StandardCharsets.UTF_8);
        if (raw == null) return body;
        int at = rnd.nextInt(body.length + 1);
        what.append(String.format("bytes %02X %02X %02X at offset %d; ", raw[0], raw[1], raw[2], at));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(body, 0, at);
        out.write(raw, 0, raw.length);
        out.write(body, at, body.length - at);
        return out.toByteArray();
    }
}
