package dev.ingot.compiler.schedule;

import dev.ingot.compiler.fusion.Kernel;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.memory.MemoryPlanner;
import java.util.List;

/**
 * How one entry point runs, as data: its kernels in execution order (each with the IR nodes it
 * computes, the values it reads and stores; loops with their body's kernels and the weights packed
 * before them) and where every value lives ({@link MemoryPlanner.BufferPlan}: arena offsets, sizes,
 * lifetimes). Produced by {@link Scheduler} after the passes, consumed by code generation, printed
 * by {@link SchedulePrinter} for {@code --dump-ir}. {@code sideBySide} are runs of independent loops (the two
 * directions of a bidirectional layer) that run at the same time, one thread each ({@link Scheduler#sideBySide}).
 */
public record Schedule(String entry, Graph graph, List<Kernel> kernels, MemoryPlanner.BufferPlan memory, List<Kernel.Region> sideBySide) {
    public Schedule {
        kernels = List.copyOf(kernels);
        sideBySide = List.copyOf(sideBySide);
    }

    /** Kernels (generated methods) of this entry point, loop bodies included, each counted once. */
    public int kernelCount() { return count(kernels, false); }

    /** Kernel runs in one call of the entry point: a loop body's kernels count once per step. */
    public long kernelRuns() { return count(kernels, true); }

    private static int count(List<Kernel> ks, boolean perStep) {
        int c = 0;
        for (Kernel k : ks) {
            if (k instanceof Kernel.Loop l) {
                int steps = perStep ? l.scan().attrs().i("length") : 1;
                c += 1 + steps * count(l.bodyKernels(), perStep);
            } else c++;
        }
        return c;
    }

    /** Floats of the arena, linear in the batch size. */
    public Lin arenaFloats() { return memory.arenaSize(); }

    /** Bytes of the arena at batch size {@code batch}. */
    public long arenaBytes(int batch) { return 4 * memory.arenaSize().eval(batch); }
}
