package dev.ingot.compiler.ir;

/** Element type of an IR value. {@code BOOL} exists only inside the graph (masks from comparisons). */
public enum DType {
    F32, I32, BOOL;

    public String mnemonic() { return name().toLowerCase(java.util.Locale.ROOT); }

    public static DType parse(String s) {
        return switch (s) {
            case "f32" -> F32;
            case "i32" -> I32;
            case "bool" -> BOOL;
            default -> null;
        };
    }
}
