package dev.ingot.spark;

import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.TensorSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Where one model input's values come from in a row: either one array column holding an example's
 * values (row-major, e.g. 784 pixels), or one scalar column per value (e.g. a CSV with columns
 * {@code px0..px783}; a single scalar column for an input of one value per example). Checked against
 * the DataFrame's schema on the driver ({@link #bind}); the number of values in an array is checked
 * row by row as rows are read ({@link #read}).
 */
final class InputBinding implements Serializable {
    private static final long serialVersionUID = 1L;

    final String input;
    final boolean i32;
    final int perExample;
    private final String describe;
    private final String[] columns;
    private final int[] index;
    /** One array column (else one scalar column per value). */
    private final boolean array;

    private InputBinding(TensorSpec in, String[] columns, int[] index, boolean array) {
        this.input = in.name();
        this.i32 = in.dtype() == DType.I32;
        this.perExample = in.numelPerExample();
        this.describe = "input " + in;
        this.columns = columns;
        this.index = index;
        this.array = array;
    }

    /**
     * Binds input {@code in} to {@code columns} of {@code schema}: one array column or one numeric column
     * per value. Throws {@link InputColumnException} naming the column for a missing column, a
     * non-numeric type, a fractional type for an integer input, or the wrong number of columns.
     * {@code hint} says how the caller names a column for an input (for the message).
     */
    static InputBinding bind(TensorSpec in, StructType schema, List<String> columns, String hint) {
        boolean i32 = in.dtype() == DType.I32;
        int[] index = new int[columns.size()];
        for (int c = 0; c < index.length; c++) {
            String name = columns.get(c);
            index[c] = indexOf(schema, name);
            if (index[c] < 0)
                throw new InputColumnException("input " + in + " reads column '" + name + "', which the DataFrame does not have; its columns: "
                        + listColumns(schema) + " (" + hint + ")");
        }
        String[] names = columns.toArray(String[]::new);
        if (index.length == 1 && schema.fields()[index[0]].dataType() instanceof ArrayType at) {
            checkElement(in, names[0], at.elementType(), i32, "an array of ");
            return new InputBinding(in, names, index, true);
        }
        for (int c = 0; c < index.length; c++) {
            StructField f = schema.fields()[index[c]];
            if (f.dataType() instanceof ArrayType)
                throw new InputColumnException("input " + in + ": column '" + f.name() + "' is an array; an input reads either one array column or one numeric column per value, not a mix");
            checkElement(in, f.name(), f.dataType(), i32, "");
        }
        if (index.length != in.numelPerExample())
            throw new InputColumnException("input " + in + " takes " + in.numelPerExample() + " values per example, but is bound to "
                    + index.length + " numeric column" + (index.length == 1 ? "" : "s") + " (" + abbreviate(names) + "): give one array column, or "
                    + in.numelPerExample() + " numeric columns (" + hint + ")");
        return new InputBinding(in, names, index, false);
    }

    private static void checkElement(TensorSpec in, String column, DataType t, boolean i32, String what) {
        boolean integral = t == DataTypes.ByteType || t == DataTypes.ShortType || t == DataTypes.IntegerType || t == DataTypes.LongType;
        boolean fractional = t == DataTypes.FloatType || t == DataTypes.DoubleType || t instanceof DecimalType;
        if (i32 && !integral)
            throw new InputColumnException("column '" + column + "' is " + t.simpleString() + ", but input " + in + " takes integers: give " + what + "integer column (cast it)");
        if (!integral && !fractional)
            throw new InputColumnException("column '" + column + "' is " + t.simpleString() + ", but input " + in + " takes numbers: give " + what + "numeric column");
    }

    /** The field index of {@code name}, or -1 (exact name; Spark's SQL resolution is case-insensitive, a DataFrame's schema is not). */
    private static int indexOf(StructType schema, String name) {
        String[] names = schema.fieldNames();
        for (int i = 0; i < names.length; i++) if (names[i].equals(name)) return i;
        return -1;
    }

    static String listColumns(StructType schema) { return abbreviate(schema.fieldNames()); }

    private static String abbreviate(String[] names) {
        if (names.length <= 12) return String.join(", ", names);
        return String.join(", ", Arrays.copyOf(names, 10)) + ", ... " + names[names.length - 1] + " (" + names.length + " in all)";
    }

    /**
     * Copies row {@code row}'s values into slot {@code slot} of the input buffer ({@code f32} or
     * {@code i32}, whichever the input is). {@code rowNumber} and {@code partition} name the row in a message.
     */
    void read(Row row, float[] f32, int[] i32buf, int slot, long rowNumber, int partition) {
        int base = slot * perExample;
        if (array) {
            if (row.isNullAt(index[0])) throw bad(columns[0], where(rowNumber, partition) + " is null");
            List<Object> values = row.getList(index[0]);
            if (values.size() != perExample)
                throw bad(columns[0], where(rowNumber, partition) + " has " + values.size() + " values; the model takes " + perExample + " per example");
            for (int j = 0; j < perExample; j++) put(values.get(j), columns[0], rowNumber, partition, f32, i32buf, base + j);
        } else {
            for (int j = 0; j < perExample; j++) {
                if (row.isNullAt(index[j])) throw bad(columns[j], where(rowNumber, partition) + " is null");
                put(row.get(index[j]), columns[j], rowNumber, partition, f32, i32buf, base + j);
            }
        }
    }

    private static String where(long rowNumber, int partition) { return "row " + rowNumber + " of partition " + partition; }

    private void put(Object v, String column, long rowNumber, int partition, float[] f32, int[] i32buf, int at) {
        if (v == null) throw bad(column, where(rowNumber, partition) + " holds a null value");
        Number x = (Number) v;
        if (i32) {
            long l = x.longValue();
            if (l != (int) l) throw bad(column, where(rowNumber, partition) + " holds " + l + ", outside the range of i32");
            i32buf[at] = (int) l;
        } else {
            f32[at] = x.floatValue();
        }
    }

    private InputColumnException bad(String column, String what) {
        return new InputColumnException("column '" + column + "' (for " + describe + "): " + what);
    }

    /** The columns this input reads (for messages and the schema of a CLI run). */
    List<String> columns() { return new ArrayList<>(List.of(columns)); }
}
