package dev.ingot.runtime.data;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.TrainConfig;
import dev.ingot.runtime.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * An in-memory dataset of {@link #size()} examples, made of named fields: f32 features and i32
 * labels (or token ids), each with its own per-example shape. Field data is stored example after
 * example, row-major, in one array per field. Instances are immutable in structure; the arrays are
 * shared, not copied, except by {@link #subset}.
 */
public final class Dataset {
    /**
     * What a field is for: {@link #INPUT} feeds model inputs, {@link #TARGET} feeds model labels
     * (what the loss compares against). {@link #ANY} is a field whose role was not declared (a
     * dataset built by hand): it may feed either. The loaders of {@link #load} always declare it:
     * idx images are inputs and labels targets, chars {@code ids} input and {@code next} target.
     */
    public enum Role {
        INPUT, TARGET, ANY;

        /** Whether a field of this role may feed a model input ({@code label == false}) or label. */
        public boolean feeds(boolean label) { return this == ANY || (this == TARGET) == label; }

        /** {@code input}, {@code target}, {@code any}. */
        public String lowerName() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /**
     * One named field: {@code shape} is the shape of a single example (without the example
     * dimension; {@code []} for a scalar label); exactly one of {@code f32} / {@code i32} is set,
     * according to {@code dtype}; {@code role} says whether it feeds model inputs or labels.
     */
    public record Field(String name, DType dtype, int[] shape, float[] f32, int[] i32, Role role) {
        public Field {
            shape = shape.clone();
            if (name == null || name.isEmpty()) throw new IllegalArgumentException("field name must not be empty");
            if (role == null) throw new IllegalArgumentException("field '" + name + "': role must not be null (use Role.ANY)");
            if ((dtype == DType.F32) != (f32 != null) || (dtype == DType.I32) != (i32 != null)) {
                throw new IllegalArgumentException("field '" + name + "': data array does not match dtype " + dtype);
            }
            long per = Tensor.numel(shape);
            if (per == 0) throw new IllegalArgumentException("field '" + name + "': per-example shape " + Tensor.shapeString(shape) + " is empty");
            int length = f32 != null ? f32.length : i32.length;
            if (length % per != 0) {
                throw new IllegalArgumentException("field '" + name + "': " + length + " values is not a whole number of examples of shape "
                        + Tensor.shapeString(shape));
            }
        }

        /** A field without a declared role ({@link Role#ANY}). */
        public Field(String name, DType dtype, int[] shape, float[] f32, int[] i32) { this(name, dtype, shape, f32, i32, Role.ANY); }

        /** An f32 field without a declared role. */
        public static Field f32(String name, int[] shape, float[] data) { return new Field(name, DType.F32, shape, data, null); }

        /** An i32 field without a declared role. */
        public static Field i32(String name, int[] shape, int[] data) { return new Field(name, DType.I32, shape, null, data); }

        /** An f32 field with a role. */
        public static Field f32(String name, int[] shape, float[] data, Role role) { return new Field(name, DType.F32, shape, data, null, role); }

        /** An i32 field with a role. */
        public static Field i32(String name, int[] shape, int[] data, Role role) { return new Field(name, DType.I32, shape, null, data, role); }

        /** The same data with another role. */
        public Field withRole(Role r) { return new Field(name, dtype, shape, f32, i32, r); }

        @Override public int[] shape() { return shape.clone(); }

        /** Values per example: the product of {@link #shape()}. */
        public int perExample() { return (int) Tensor.numel(shape); }

        /** Number of examples. */
        public int size() { return (f32 != null ? f32.length : i32.length) / perExample(); }

        /** {@code image f32[28, 28]}. */
        public String describe() { return name + " " + dtype.dslName() + Tensor.shapeString(shape); }

        Field slice(int from, int to) {
            int p = perExample();
            return f32 != null ? f32(name, shape, Arrays.copyOfRange(f32, from * p, to * p), role)
                               : i32(name, shape, Arrays.copyOfRange(i32, from * p, to * p), role);
        }
    }

    private final int size;
    private final Map<String, Field> fields;

    /** A dataset of the given fields, which must all have the same number of examples. */
    public Dataset(List<Field> fields) {
        if (fields.isEmpty()) throw new IllegalArgumentException("a dataset needs at least one field");
        Map<String, Field> m = new LinkedHashMap<>();
        int n = fields.get(0).size();
        for (Field f : fields) {
            if (m.put(f.name(), f) != null) throw new IllegalArgumentException("duplicate field '" + f.name() + "'");
            if (f.size() != n) {
                throw new IllegalArgumentException("field '" + f.name() + "' has " + f.size() + " examples but '"
                        + fields.get(0).name() + "' has " + n);
            }
        }
        this.size = n;
        this.fields = Collections.unmodifiableMap(m);
    }

    public static Dataset of(Field... fields) { return new Dataset(List.of(fields)); }

    /** Number of examples. */
    public int size() { return size; }

    /** The fields, in the order given. */
    public List<Field> fields() { return List.copyOf(fields.values()); }

    public boolean has(String name) { return fields.containsKey(name); }

    /** The field called {@code name}; a clear error listing the fields if there is none. */
    public Field field(String name) {
        Field f = fields.get(name);
        if (f == null) throw new DataFormatException("data has no field '" + name + "' (fields: " + String.join(", ", fields.keySet()) + ")");
        return f;
    }

    /** A copy of examples {@code [from, to)}. */
    public Dataset subset(int from, int to) {
        if (from < 0 || to > size || from > to) throw new IndexOutOfBoundsException("subset [" + from + ", " + to + ") of a dataset of " + size);
        List<Field> out = new ArrayList<>();
        for (Field f : fields.values()) out.add(f.slice(from, to));
        return new Dataset(out);
    }

    /** A copy of the examples at {@code indices}, in that order. */
    public Dataset select(int[] indices) {
        List<Field> out = new ArrayList<>();
        for (Field f : fields.values()) {
            int p = f.perExample();
            if (f.f32() != null) {
                float[] d = new float[indices.length * p];
                for (int i = 0; i < indices.length; i++) System.arraycopy(f.f32(), indices[i] * p, d, i * p, p);
                out.add(Field.f32(f.name(), f.shape(), d, f.role()));
            } else {
                int[] d = new int[indices.length * p];
                for (int i = 0; i < indices.length; i++) System.arraycopy(f.i32(), indices[i] * p, d, i * p, p);
                out.add(Field.i32(f.name(), f.shape(), d, f.role()));
            }
        }
        return new Dataset(out);
    }

    /** The first {@code n} examples (all of them if there are fewer); this instance if nothing is cut. */
    public Dataset limit(int n) {
        if (n < 0) throw new IllegalArgumentException("limit must be >= 0, got " + n);
        return n >= size ? this : subset(0, n);
    }

    /** This dataset plus (or with a replaced) field. */
    public Dataset with(Field field) {
        Map<String, Field> m = new LinkedHashMap<>(fields);
        m.put(field.name(), field);
        return new Dataset(new ArrayList<>(m.values()));
    }

    /**
     * Reads an MNIST-style pair of IDX files from {@code dir}: {@code train-images-idx3-ubyte[.gz]}
     * and {@code train-labels-idx1-ubyte[.gz]} for split {@code "train"}, {@code t10k-...} for
     * {@code "test"} (the MNIST and Fashion-MNIST names; the variant with a dot,
     * {@code train-images.idx3-ubyte}, is accepted too). Gives the fields {@code image} (f32, the
     * pixels times {@code scale}, e.g. {@code 1/255f}) and {@code label} (i32).
     */
    public static Dataset idxImages(Path dir, String split, float scale) throws IOException {
        String prefix = switch (split) {
            case "train" -> "train";
            case "test", "t10k" -> "t10k";
            default -> throw new IllegalArgumentException("unknown split '" + split + "', expected train or test");
        };
        if (!Files.isDirectory(dir)) {
            throw new DataFormatException("data directory " + dir + (Files.exists(dir) ? " is not a directory" : " does not exist")
                    + " (expected MNIST-style files such as " + prefix + "-images-idx3-ubyte.gz)");
        }
        Path images = find(dir, prefix + "-images", "idx3-ubyte");
        Path labels = find(dir, prefix + "-labels", "idx1-ubyte");
        if (images == null || labels == null) {
            List<String> missing = new ArrayList<>();
            if (images == null) missing.add(prefix + "-images-idx3-ubyte[.gz]");
            if (labels == null) missing.add(prefix + "-labels-idx1-ubyte[.gz]");
            throw new DataFormatException("data directory " + dir + " has no " + String.join(" or ", missing)
                    + " (also looked for the '.idx' spelling, e.g. " + prefix + "-images.idx3-ubyte); it contains: " + listing(dir));
        }
        return idx(images, labels, scale);
    }

    /** The data source kinds {@link #load} understands. */
    public static final List<String> KINDS = List.of("idx", CharCorpus.KIND, SentenceCorpus.KIND, ReverseTask.KIND, Csv.KIND, Npy.NPY, Npy.NPZ);

    /**
     * Loads split {@code "train"} or {@code "test"} of the data source of a model's train block
     * (for a language model, {@code "test"} is the validation split). Relative paths resolve
     * against {@code baseDir}, the directory of the model file. Kinds and their options:
     * <ul>
     *   <li>{@code idx}: {@code dir} (required) and {@code scale} (pixel factor, default
     *       {@code 1/255}), read with {@link #idxImages}: fields {@code image} (input), {@code label} (target);</li>
     *   <li>{@code chars}: {@code file} (required), {@code seq} (required), {@code val} (default 0.1):
     *       a {@link CharCorpus}, fields {@code ids} (input) and {@code next} (target);</li>
     *   <li>{@code sentences}: {@code dir} (required), {@code vocab} (1000), {@code length} (100),
     *       {@code test} (0.2), {@code seed} (1): a {@link SentenceCorpus}, fields {@code tokens}
     *       (input) and {@code label} (target);</li>
     *   <li>{@code reverse}: {@code count} (20000), {@code test_count} (2000), {@code length} (20),
     *       {@code vocab} (32), {@code seed} (1): a generated {@link ReverseTask}, fields
     *       {@code src}, {@code tgt_in} (inputs) and {@code tgt} (target);</li>
     *   <li>{@code csv}: a table of numbers, see {@link Csv}; {@code npy} and {@code npz}: NumPy
     *       arrays, see {@link Npy}: fields {@code features} (input) and {@code label} (target).</li>
     * </ul>
     * Bad options and bad files fail with a one-line {@link DataFormatException}.
     */
    public static Dataset load(TrainConfig.DataSpec spec, Path baseDir, String split) throws IOException {
        switch (spec.kind()) {
            case CharCorpus.KIND: return CharCorpus.dataset(spec, baseDir, split);
            case SentenceCorpus.KIND: return SentenceCorpus.load(spec, baseDir).dataset(split);
            case ReverseTask.KIND: return ReverseTask.dataset(spec, split);
            case Csv.KIND: return Csv.dataset(spec, baseDir, split);
            case Npy.NPY, Npy.NPZ: return Npy.dataset(spec, baseDir, split);
            case "idx": break;
            default: throw new DataFormatException("unknown data kind '" + spec.kind() + "' (supported: " + String.join(", ", KINDS) + ")");
        }
        new DataOptions(spec, List.of("dir", "scale"));
        String dir = spec.options().get("dir");
        if (dir == null) throw new DataFormatException("data kind idx needs the option dir (the directory of the IDX files)");
        float scale = 1 / 255f;
        String s = spec.options().get("scale");
        if (s != null) {
            try {
                scale = s.contains("/") ? (float) (Double.parseDouble(s.substring(0, s.indexOf('/')).trim())
                        / Double.parseDouble(s.substring(s.indexOf('/') + 1).trim())) : Float.parseFloat(s.trim());
            } catch (NumberFormatException e) {
                throw new DataFormatException("option scale of data kind idx is not a number: '" + s + "'");
            }
        }
        return idxImages(baseDir.resolve(dir), split, scale);
    }

    /**
     * An {@code image}/{@code label} dataset from an IDX file of images (any item shape) and one of
     * labels: integer labels give an i32 field (classes), float or double ones an f32 field (regression).
     */
    public static Dataset idx(Path imagesFile, Path labelsFile, float scale) throws IOException {
        Idx images = Idx.read(imagesFile);
        Idx labels = Idx.read(labelsFile);
        if (images.count() != labels.count()) {
            throw new DataFormatException(imagesFile + " has " + images.count() + " examples but " + labelsFile + " has " + labels.count());
        }
        if (images.count() > 0 && Tensor.numel(images.itemShape()) == 0) {
            throw new DataFormatException(imagesFile + ": items of shape " + Tensor.shapeString(images.itemShape()) + " are empty");
        }
        return of(Field.f32("image", images.itemShape(), images.toFloats(scale), Role.INPUT),
                  labels.type() == Idx.Type.FLOAT || labels.type() == Idx.Type.DOUBLE
                          ? Field.f32("label", labels.itemShape(), labels.toFloats(1f), Role.TARGET)
                          : Field.i32("label", labels.itemShape(), labels.toInts(), Role.TARGET));
    }

    private static Path find(Path dir, String stem, String kind) {
        for (String name : List.of(stem + "-" + kind + ".gz", stem + "-" + kind, stem + "." + kind + ".gz", stem + "." + kind)) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    private static String listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
            if (names.isEmpty()) return "nothing";
            if (names.size() > 8) return String.join(", ", names.subList(0, 8)) + ", ... (" + names.size() + " entries)";
            return String.join(", ", names);
        }
    }

    /** {@code Dataset(60000 examples: image f32[28, 28], label i32[])}. */
    @Override
    public String toString() {
        return "Dataset(" + size + " examples: " + fields.values().stream().map(Field::describe).collect(Collectors.joining(", ")) + ")";
    }
}
