package dev.ingot.compiler.ir;

import dev.ingot.compiler.ops.Op;
import java.util.List;

/**
 * One SSA value of the graph. Created only by {@link GraphBuilder}, which interns structurally
 * identical nodes, so within one builder identity equality is structural equality (CSE by
 * construction).
 *
 * <p>NOTE: equals/hashCode are Object's (identity). A record would recurse into {@code inputs},
 * which is exponential on a DAG with sharing and slows every map keyed by nodes.
 */
public final class Node {
    private final int id;
    private final Op op;
    private final List<Node> inputs;
    private final Attrs attrs;
    private final TensorType type;
    private Provenance prov;     // the first DSL span that created it; not part of identity
    private String hint;         // a DSL name for the value (let-binding), for generated names; not part of identity

    Node(int id, Op op, List<Node> inputs, Attrs attrs, TensorType type, Provenance prov) {
        this.id = id;
        this.op = op;
        this.inputs = List.copyOf(inputs);
        this.attrs = attrs;
        this.type = type;
        this.prov = prov;
    }

    public int id() { return id; }
    public Op op() { return op; }
    public List<Node> inputs() { return inputs; }
    public Node in(int i) { return inputs.get(i); }
    public Attrs attrs() { return attrs; }
    public TensorType type() { return type; }
    public Shape shape() { return type.shape(); }
    public DType dtype() { return type.dtype(); }
    public Provenance prov() { return prov; }

    /** Keeps the first known provenance: an interned node reached again from another line keeps its first. */
    void mergeProvenance(Provenance p) {
        if (prov.loc() == SourceLoc.NONE && p.loc() != SourceLoc.NONE) prov = p;
    }

    public boolean is(Op o) { return op == o; }

    /** The DSL name bound to this value (e.g. {@code logits}), or null. */
    public String hint() { return hint; }

    /** Records a DSL name for this value; the first one wins. */
    public void hint(String h) { if (hint == null && h != null) hint = h; }

    /** True when this is a scalar constant equal to {@code v}. */
    public boolean isConst(double v) {
        return op == dev.ingot.compiler.ops.Ops.CONST && attrs.has("value") && attrs.d("value") == v;
    }

    public boolean isConst() { return op == dev.ingot.compiler.ops.Ops.CONST; }

    /** {@code %12} or {@code %x} for named leaves. */
    public String ref() {
        if (attrs.has("name") && op instanceof dev.ingot.compiler.ops.Leaf) return "%" + attrs.s("name");
        return "%" + id;
    }

    @Override public String toString() { return ref() + ": " + type + " = " + op.name() + " " + attrs; }
}
