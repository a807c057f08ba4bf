package dev.ingot.spark;

import dev.ingot.runtime.model.ClassFiles;
import dev.ingot.runtime.model.CompiledModel;
import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an executor needs to make instances of a model: either the name of a generated class that
 * is on every executor's class path (generated at build time by ingot-maven-plugin and packaged in
 * the application jar), or the class files of a model compiled on the driver, shipped with the job
 * (executors then need the runtime only, no compiler and no JDK tools).
 */
public final class ModelCode implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String className;
    /** Null when the class is on the executors' class path. */
    private final ClassFiles files;
    /** The key of {@link #LOADED}, computed once per JVM. */
    private transient String key;

    private ModelCode(String className, ClassFiles files) {
        this.className = className;
        this.files = files;
    }

    /** A generated class that the application jar brings to every executor. */
    public static ModelCode of(Class<? extends CompiledModel> modelClass) {
        return new ModelCode(modelClass.getName(), null);
    }

    /** Class files compiled on the driver (e.g. {@code Compiler.Result.classFiles()}), shipped with the job. */
    public static ModelCode of(ClassFiles files) {
        return new ModelCode(files.className(), files);
    }

    /**
     * Compiles an {@code .ingot} file on the driver (inference only: no training step) into class
     * files to ship. Needs {@code ingot-compiler} on the driver's class path; a mistake in the model
     * throws {@code dev.ingot.compiler.diag.CompileError} with its {@code file:line:col}.
     */
    public static ModelCode compile(Path ingotFile) {
        var src = dev.ingot.compiler.frontend.SourceFile.read(ingotFile);
        var opt = dev.ingot.compiler.Compiler.Options.defaults().withTraining(false);
        return of(dev.ingot.compiler.Compiler.compile(src, opt).classFiles());
    }

    /** The model class's binary name. */
    public String className() { return className; }

    /** Classes loaded in this JVM, by class name and (for shipped class files) the identity of the bytes. */
    private static final Map<String, Class<? extends CompiledModel>> LOADED = new ConcurrentHashMap<>();

    /** The model class in this JVM: loaded once per JVM (per executor) and cached. */
    Class<? extends CompiledModel> modelClass() {
        if (key == null) key = files == null ? className : className + "@" + fingerprint(files);
        return LOADED.computeIfAbsent(key, k -> files != null ? files.load() : fromClassPath(className));
    }

    /** A new instance for batches of up to {@code maxBatch}, parameters uninitialized. */
    public CompiledModel newInstance(int maxBatch) {
        try {
            return modelClass().getConstructor(int.class).newInstance(maxBatch);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error er) throw er;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(className + " is not a generated Ingot model class (no public constructor taking the batch size)", e);
        }
    }

    private static Class<? extends CompiledModel> fromClassPath(String name) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (cl == null) cl = CompiledModel.class.getClassLoader();
        try {
            return Class.forName(name, true, cl).asSubclass(CompiledModel.class);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("model class " + name + " is not on this JVM's class path: package it in the application jar (or ship it with ModelCode.compile)", e);
        } catch (ClassCastException e) {
            throw new IllegalStateException(name + " is not an Ingot model class (not a CompiledModel)", e);
        }
    }

    /** A hash of every class file (names and bytes), to tell two compilations of a model apart. */
    private static String fingerprint(ClassFiles f) {
        long h = 1125899906842597L;
        for (var e : new java.util.TreeMap<>(f.bytes()).entrySet()) {
            h = 31 * h + e.getKey().hashCode();
            for (byte b : e.getValue()) h = 31 * h + b;
        }
        return Long.toHexString(h);
    }

    @Override public String toString() { return className + (files == null ? " (class path)" : " (shipped class files)"); }
}
