package dev.ingot.maven;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.diag.CompileError;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.compiler.ir.SourceLoc;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;

/**
 * The work of {@code ingot:generate}, independent of Maven: finds the {@code .ingot} files under a
 * source directory, compiles the changed ones to Java under an output directory, removes the
 * outputs of models that are gone, and remembers what it did in a small state file.
 *
 * <p>A model is regenerated when its text, the options, the plugin version or the compiler jar
 * changed, or when its generated file was deleted or edited; otherwise it is "up to date". The
 * package of a model's class is {@link Settings#packageName()} when set, else the model file's
 * directory under the source directory ({@code com/acme/m.ingot} gives {@code com.acme}), else
 * (a file directly in the source directory) {@link #DEFAULT_PACKAGE}.
 */
final class Generator {
    static final String DEFAULT_PACKAGE = "ingot.generated";
    private static final String STATE_VERSION = "1";

    /**
     * @param sourceDirectory where the {@code .ingot} files are (searched recursively; may not exist)
     * @param outputDirectory where the Java sources go (package folders are created)
     * @param stateFile       the file remembering hashes and outputs between builds
     * @param packageName     the package of every generated class, or null to derive it from the directories
     * @param inferenceOnly   emit {@code predict} only (no gradients, optimizer or loss)
     * @param vector          use the Vector API (else plain scalar Java)
     * @param toolVersion     identifies the plugin and compiler; a change regenerates everything
     * @param splitStep       also emit {@code computeGradients} and {@code applyUpdate} (data-parallel training)
     */
    record Settings(Path sourceDirectory, Path outputDirectory, Path stateFile, String packageName,
                    boolean inferenceOnly, boolean vector, String toolVersion, boolean splitStep) {
        Settings(Path sourceDirectory, Path outputDirectory, Path stateFile, String packageName, boolean inferenceOnly, boolean vector, String toolVersion) {
            this(sourceDirectory, outputDirectory, stateFile, packageName, inferenceOnly, vector, toolVersion, false);
        }
    }

    /**
     * A DSL error: {@code file}, 1-based {@code line} and {@code column} (0 when unknown), the
     * message, and the rendered source line with a caret (may be empty).
     */
    record Problem(Path file, int line, int column, String message, String detail) {
        /** {@code /abs/model.ingot:[12,19] message}, then the detail lines: Maven's usual form. */
        String render() {
            String where = line > 0 ? file + ":[" + line + "," + Math.max(1, column) + "]" : file + ":";
            return where + " " + message + (detail.isEmpty() ? "" : "\n" + detail);
        }
    }

    /** One generated class: the model file relative to the source directory, the Java file relative to the output directory. */
    record Generated(String model, String output) {}

    /** What a run did. */
    record Report(List<Generated> generated, List<Generated> upToDate, List<String> removed, List<Problem> problems) {
        boolean failed() { return !problems.isEmpty(); }
    }

    /** A model the compiler failed on with something other than a DSL error: a bug of ours. */
    static final class InternalFailure extends RuntimeException {
        final Path model;

        InternalFailure(Path model, RuntimeException cause) {
            super("ingot: internal compiler error on " + model + " (please report it with the model file): " + cause, cause);
            this.model = model;
        }
    }

    private final Settings settings;

    Generator(Settings settings) {
        this.settings = settings;
        if (settings.packageName() != null && !settings.packageName().isEmpty() && !SourceVersion.isName(settings.packageName())) {
            throw new IllegalArgumentException("packageName '" + settings.packageName() + "' is not a Java package name");
        }
    }

    /** An entry of the state file: the model's hash, its output, and the output's hash. */
    private record Entry(String hash, String output, String outputHash) {}

    Report run() throws IOException {
        Path src = settings.sourceDirectory().toAbsolutePath().normalize();
        Path out = settings.outputDirectory().toAbsolutePath().normalize();
        String fingerprint = sha256(String.join("\n", "state " + STATE_VERSION, settings.toolVersion(),
                "package " + (settings.packageName() == null ? "<derived>" : settings.packageName()),
                "inferenceOnly " + settings.inferenceOnly(), "vector " + settings.vector(), "splitStep " + settings.splitStep(), "output " + out));

        Map<String, Entry> previous = new TreeMap<>();
        boolean sameTool = readState(fingerprint, previous);
        Map<String, Entry> next = new TreeMap<>();
        Map<String, String> owners = new LinkedHashMap<>(); // output -> model, to catch two models with one class
        List<Generated> generated = new ArrayList<>();
        List<Generated> upToDate = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();

        for (Path file : models(src)) {
            String rel = slashes(src.relativize(file));
            byte[] bytes = Files.readAllBytes(file);
            String hash = sha256(bytes);
            Entry old = previous.get(rel);
            if (sameTool && old != null && old.hash().equals(hash) && unchanged(out.resolve(old.output()), old.outputHash())
                    && owners.putIfAbsent(old.output(), rel) == null) {
                next.put(rel, old);
                upToDate.add(new Generated(rel, old.output()));
                continue;
            }
            String pkg = packageOf(src, file);
            if (pkg == null) {
                problems.add(new Problem(file, 0, 0, "the directory " + slashes(src.relativize(file.getParent()))
                        + " is not a Java package name; rename it or set <packageName>", ""));
                if (old != null) next.put(rel, new Entry("-", old.output(), old.outputHash()));
                continue;
            }
            Compiler.Result result;
            try {
                String text = new String(bytes, StandardCharsets.UTF_8);
                SourceFile source = SourceFile.of(file.toString(), file.getParent(), text, true);
                result = Compiler.compile(source, Compiler.Options.defaults().withPackage(pkg)
                        .withVector(settings.vector()).withTraining(!settings.inferenceOnly()).withSplitStep(settings.splitStep() && !settings.inferenceOnly()));
            } catch (CompileError e) {
                problems.add(problem(file, e));
                if (old != null) next.put(rel, new Entry("-", old.output(), old.outputHash())); // keep tracking its old output
                continue;
            } catch (RuntimeException e) {
                throw new InternalFailure(file, e);
            }
            String code = result.source().code();
            String output = (pkg.isEmpty() ? "" : pkg.replace('.', '/') + "/") + result.source().className() + ".java";
            String owner = owners.putIfAbsent(output, rel);
            if (owner != null) {
                problems.add(new Problem(file, 0, 0, "model " + result.source().className() + " is also defined in " + src.resolve(owner)
                        + ": both would generate " + output + "; rename one model or move it to another package", ""));
                if (old != null) next.put(rel, new Entry("-", old.output(), old.outputHash()));
                continue;
            }
            Path target = out.resolve(output);
            byte[] codeBytes = code.getBytes(StandardCharsets.UTF_8);
            if (!Files.isRegularFile(target) || !sha256(Files.readAllBytes(target)).equals(sha256(codeBytes))) {
                Files.createDirectories(target.getParent());
                writeAtomically(target, codeBytes);
            }
            next.put(rel, new Entry(hash, output, sha256(codeBytes)));
            generated.add(new Generated(rel, output));
        }

        // Outputs of models that are gone (or now generate another class), never any other file.
        Set<String> live = new LinkedHashSet<>();
        for (Entry e : next.values()) live.add(e.output());
        List<String> removed = new ArrayList<>();
        for (Entry e : previous.values()) {
            if (live.contains(e.output())) continue;
            Path stale = out.resolve(e.output()).normalize();
            if (stale.startsWith(out) && Files.deleteIfExists(stale)) {
                removed.add(e.output());
                pruneEmptyDirectories(stale.getParent(), out);
            }
        }
        writeState(fingerprint, next);
        return new Report(generated, upToDate, removed, problems);
    }

    /** Every {@code .ingot} file under {@code dir}, in a stable order; none if the directory does not exist. */
    static List<Path> models(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".ingot") && Files.isRegularFile(p))
                    .map(p -> p.toAbsolutePath().normalize()).sorted().toList();
        }
    }

    /** The package of the class generated from {@code file}: see the class comment. Null if a directory name is not a Java name. */
    String packageOf(Path src, Path file) {
        if (settings.packageName() != null) return settings.packageName();
        Path dir = src.relativize(file.getParent());
        if (dir.toString().isEmpty()) return DEFAULT_PACKAGE;
        String pkg = slashes(dir).replace('/', '.');
        return SourceVersion.isName(pkg) ? pkg : null;
    }

    static Problem problem(Path file, CompileError e) {
        SourceLoc loc = e.loc();
        String rendered = e.render();
        String header = (loc != SourceLoc.NONE ? loc.where() + ": " : "") + "error: " + e.getMessage();
        String detail = rendered.startsWith(header) ? rendered.substring(header.length()) : "\n" + rendered;
        detail = detail.startsWith("\n") ? detail.substring(1) : detail;
        if (loc == SourceLoc.NONE) return new Problem(file, 0, 0, e.getMessage(), detail);
        Path where = loc.file().equals(file.toString()) ? file : Path.of(loc.file());
        return new Problem(where, loc.line(), loc.col() + 1, e.getMessage(), detail);
    }

    private boolean unchanged(Path output, String outputHash) throws IOException {
        return Files.isRegularFile(output) && sha256(Files.readAllBytes(output)).equals(outputHash);
    }

    // ---- the state file: "fingerprint <hash>", then "model\t<path>\t<hash>\t<output>\t<output hash>" lines ----

    /** Reads the previous entries; returns whether they were made with the same fingerprint (tool and options). */
    private boolean readState(String fingerprint, Map<String, Entry> into) {
        Path f = settings.stateFile();
        if (!Files.isRegularFile(f)) return false;
        String found = null;
        try {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                String[] v = line.split("\t");
                if (v.length == 2 && v[0].equals("fingerprint")) found = v[1];
                else if (v.length == 5 && v[0].equals("model")) into.put(v[1], new Entry(v[2], v[3], v[4]));
            }
        } catch (IOException | UncheckedIOException e) {
            into.clear(); // unreadable: regenerate everything
            return false;
        }
        return fingerprint.equals(found);
    }

    private void writeState(String fingerprint, Map<String, Entry> entries) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# ingot-maven-plugin: what ingot:generate generated, to skip unchanged models. Delete it to regenerate all.\n");
        sb.append("fingerprint\t").append(fingerprint).append('\n');
        entries.forEach((model, e) -> sb.append("model\t").append(model).append('\t').append(e.hash()).append('\t')
                .append(e.output()).append('\t').append(e.outputHash()).append('\n'));
        Path f = settings.stateFile();
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (Files.isRegularFile(f) && java.util.Arrays.equals(Files.readAllBytes(f), bytes)) return;
        Files.createDirectories(f.toAbsolutePath().getParent());
        writeAtomically(f, bytes);
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
        try {
            try (OutputStream o = Files.newOutputStream(tmp)) {
                o.write(bytes);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void pruneEmptyDirectories(Path dir, Path root) throws IOException {
        while (dir != null && dir.startsWith(root) && !dir.equals(root) && Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) return;
            }
            Files.delete(dir);
            dir = dir.getParent();
        }
    }

    // ---- hashing ----

    private static final Map<String, String> JAR_HASHES = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Identifies the compiler that is running: the SHA-256 of its jar (cached per path, size and
     * time), so that a rebuilt snapshot of the compiler regenerates every model.
     */
    static String compilerFingerprint() {
        try {
            CodeSource cs = Compiler.class.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null) return "unknown";
            Path p = Path.of(cs.getLocation().toURI());
            if (!Files.isRegularFile(p)) return "classes " + p;
            String key = p + " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis();
            return JAR_HASHES.computeIfAbsent(key, k -> {
                try {
                    return sha256(Files.readAllBytes(p));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (URISyntaxException | IOException | UncheckedIOException | IllegalArgumentException | SecurityException e) {
            return "unknown";
        }
    }

    static String sha256(String s) { return sha256(s.getBytes(StandardCharsets.UTF_8)); }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String slashes(Path p) { return p.toString().replace('\\', '/'); }
}
