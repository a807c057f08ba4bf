package dev.ingot.bench.libtorch;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * libtorch's {@code at::globalContext().setFlushDenormal(true)}, the C++ side of PyTorch's
 * {@code torch.set_flush_denormal(True)}: sets the FTZ and DAZ bits of the calling thread's MXCSR, so that subnormal
 * floats are read and written as 0 (threads created afterwards inherit it). DJL does not expose it; this calls the
 * exported C++ symbols through the foreign-function API (JDK 22+, compiled on its own with release 22). Needs
 * libtorch_cpu.so loaded (by DJL's engine) first.
 */
public final class FlushDenormal {
    private FlushDenormal() {
    }

    /** Returns what libtorch returns: whether this CPU supports it. */
    public static boolean enable() throws Throwable {
        Linker linker = Linker.nativeLinker();
        SymbolLookup torch = SymbolLookup.libraryLookup("libtorch_cpu.so", Arena.global());
        MethodHandle globalContext = linker.downcallHandle(torch.find("_ZN2at13globalContextEv").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS));
        MethodHandle setFlushDenormal = linker.downcallHandle(torch.find("_ZN2at7Context16setFlushDenormalEb").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_BOOLEAN, ValueLayout.ADDRESS, ValueLayout.JAVA_BOOLEAN));
        MemorySegment context = (MemorySegment) globalContext.invokeExact();
        return (boolean) setFlushDenormal.invokeExact(context, true);
    }
}
