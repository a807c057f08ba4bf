package dev.ingot.compiler.codegen;

import dev.ingot.compiler.fusion.Kernel;
import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Lowering;

/**
 * The lowering context of a library kernel with an epilogue ({@link Kernel.Epilogue}): the op's
 * output lives where the epilogue's output does (the product is never stored on its own), and
 * {@link #epilogue} gives the runtime call its trailing arguments.
 */
final class EpilogueLowering implements Lowering {
    private final EntryContext cx;
    private final Kernel.Call call;

    EpilogueLowering(EntryContext cx, Kernel.Call call) {
        this.cx = cx;
        this.call = call;
    }

    private Node home(Node n) { return n == call.node() ? call.epilogue().out() : n; }

    @Override public String array(Node n) { return cx.array(home(n)); }
    @Override public String offset(Node n) { return cx.offset(home(n)); }
    @Override public String size(Lin l) { return cx.size(l); }
    @Override public String batch() { return cx.batch(); }
    @Override public String constant(String javaType, String prefix, String initializer) { return cx.constant(javaType, prefix, initializer); }
    @Override public boolean vector() { return cx.vector(); }
    @Override public String packed(Node b, boolean transB) { return cx.packed(b, transB); }
    @Override public boolean byRows() { return cx.byRows(); }
    @Override public void emit(String statement) { cx.emit(statement); }

    @Override public String epilogue(Node n) {
        if (n != call.node()) return null;
        Kernel.Epilogue e = call.epilogue();
        String bias = e.bias() == null ? "null, 0" : cx.array(e.bias()) + ", " + cx.offset(e.bias());
        return bias + ", " + (e.relu() ? "Epilogue.RELU" : "Epilogue.NONE");
    }
}
