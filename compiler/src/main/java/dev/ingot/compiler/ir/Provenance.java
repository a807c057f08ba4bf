package dev.ingot.compiler.ir;

/**
 * Where an IR value came from: the DSL span that created it, and whether it is part of the gradient
 * of that span ({@code backward}) or of the optimizer update. Not part of a node's identity.
 */
public record Provenance(SourceLoc loc, Role role) {
    public enum Role { FORWARD, BACKWARD, UPDATE }

    public static final Provenance NONE = new Provenance(SourceLoc.NONE, Role.FORWARD);

    public static Provenance at(SourceLoc loc) { return new Provenance(loc, Role.FORWARD); }
    public Provenance backward() { return new Provenance(loc, Role.BACKWARD); }
    public Provenance update() { return new Provenance(loc, Role.UPDATE); }

    /** A one-line comment for generated code: {@code mnist_mlp.ingot:5} or {@code grad of mnist_mlp.ingot:5}. */
    public String comment() {
        if (loc == SourceLoc.NONE) return role == Role.UPDATE ? "optimizer update" : "";
        String w = loc.shortWhere();
        return switch (role) {
            case FORWARD -> w;
            case BACKWARD -> "grad of " + w;
            case UPDATE -> "update of " + w;
        };
    }
}
