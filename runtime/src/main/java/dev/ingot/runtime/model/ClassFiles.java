package dev.ingot.runtime.model;

import java.io.Serializable;
import java.util.Map;

/**
 * The class files of one generated model class (the class and any nested classes), as compiled in
 * memory: what a program ships to another JVM (a Spark executor) that has the runtime but no
 * compiler, and loads there with {@link #load()}.
 *
 * @param className the model class's binary name, e.g. {@code ingot.generated.MnistMlp}
 * @param bytes     class file bytes by binary name
 */
public record ClassFiles(String className, Map<String, byte[]> bytes) implements Serializable {
    public ClassFiles {
        bytes = Map.copyOf(bytes);
        if (!bytes.containsKey(className)) throw new IllegalArgumentException("no class file for " + className + " among " + bytes.keySet());
    }

    /**
     * Defines the classes in a new class loader over the runtime's and returns the model class.
     * Each call defines them anew (callers cache).
     */
    public Class<? extends CompiledModel> load() {
        ClassLoader loader = new ClassLoader(CompiledModel.class.getClassLoader()) {
            @Override protected Class<?> findClass(String name) throws ClassNotFoundException {
                byte[] b = bytes.get(name);
                if (b == null) throw new ClassNotFoundException(name);
                return defineClass(name, b, 0, b.length);
            }
        };
        try {
            return loader.loadClass(className).asSubclass(CompiledModel.class);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
