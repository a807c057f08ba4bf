package dev.ingot.compiler.jit;

import dev.ingot.runtime.model.ClassFiles;
import dev.ingot.runtime.model.CompiledModel;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles generated Java source in memory with {@code javax.tools} (no temporary files) and loads
 * it in a fresh class loader over the runtime's. Results are cached by a hash of the source, so
 * compiling the same model twice in one JVM costs nothing the second time.
 */
public final class InMemoryJavac {
    private InMemoryJavac() {}

    private static final Map<String, Class<?>> CACHE = new ConcurrentHashMap<>();

    /** Thrown when generated code does not compile: a compiler bug, reported with the numbered source. */
    public static final class GeneratedCodeError extends RuntimeException {
        public GeneratedCodeError(String msg) { super(msg); }
    }

    public static Class<? extends CompiledModel> compile(String qualifiedName, String source) {
        String key = sha256(qualifiedName + "\n" + source);
        Class<?> c = CACHE.computeIfAbsent(key, k -> doCompile(qualifiedName, source));
        return c.asSubclass(CompiledModel.class);
    }

    private static Class<?> doCompile(String qualifiedName, String source) {
        return classFiles(qualifiedName, source).load();
    }

    /**
     * Compiles the source to class files without loading them (to ship them to a JVM that has the
     * runtime but no compiler, e.g. a Spark executor).
     */
    public static ClassFiles classFiles(String qualifiedName, String source) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) throw new IllegalStateException("no Java compiler in this runtime: Ingot needs a JDK, not a JRE");
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        StandardJavaFileManager std = javac.getStandardFileManager(diags, null, StandardCharsets.UTF_8);
        Map<String, ByteArrayOutputStream> classes = new HashMap<>();
        JavaFileManager fm = new ForwardingJavaFileManager<>(std) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location loc, String name, JavaFileObject.Kind kind, FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + name.replace('.', '/') + kind.extension), kind) {
                    @Override public OutputStream openOutputStream() {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        classes.put(name, out);
                        return out;
                    }
                };
            }
        };
        JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///" + qualifiedName.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override public CharSequence getCharContent(boolean ignoreErrors) { return source; }
        };
        List<String> opts = new ArrayList<>(List.of("--release", "17", "--add-modules", "jdk.incubator.vector", "-nowarn", "-Xlint:none",
                "-classpath", classpath(), "-proc:none", "-g:none"));
        boolean ok = javac.getTask(null, fm, diags, opts, null, List.of(unit)).call();
        if (!ok) {
            StringBuilder sb = new StringBuilder("generated code for " + qualifiedName + " does not compile (a compiler bug):\n");
            for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics())
                if (d.getKind() == Diagnostic.Kind.ERROR) sb.append("  line ").append(d.getLineNumber()).append(": ").append(d.getMessage(null)).append('\n');
            String[] lines = source.split("\n");
            for (int i = 0; i < lines.length; i++) sb.append(String.format("%5d  %s%n", i + 1, lines[i]));
            throw new GeneratedCodeError(sb.toString());
        }
        Map<String, byte[]> bytes = new HashMap<>();
        classes.forEach((name, b) -> bytes.put(name, b.toByteArray()));
        return new ClassFiles(qualifiedName, bytes);
    }

    /** The JVM's class path plus wherever the runtime classes came from (for embedding class loaders). */
    private static String classpath() {
        Set<String> parts = new LinkedHashSet<>(List.of(System.getProperty("java.class.path", "").split(File.pathSeparator)));
        try {
            var cs = CompiledModel.class.getProtectionDomain().getCodeSource();
            if (cs != null) parts.add(new File(cs.getLocation().toURI()).getPath());
        } catch (Exception ignored) {
            // best effort: java.class.path is enough for the CLI and the tests
        }
        parts.remove("");
        return String.join(File.pathSeparator, parts);
    }

    public static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
