package dev.ingot.compiler.ir;

/** Element type plus shape of an IR value. */
public record TensorType(DType dtype, Shape shape) {
    public static TensorType f32(int... dims) { return new TensorType(DType.F32, Shape.of(dims)); }
    public static TensorType f32(Shape s) { return new TensorType(DType.F32, s); }
    public static final TensorType F32_SCALAR = new TensorType(DType.F32, Shape.SCALAR);

    public TensorType withShape(Shape s) { return new TensorType(dtype, s); }
    public TensorType withDType(DType d) { return new TensorType(d, shape); }
    public int rank() { return shape.rank(); }

    @Override public String toString() { return dtype.mnemonic() + shape.compact(); }
}
