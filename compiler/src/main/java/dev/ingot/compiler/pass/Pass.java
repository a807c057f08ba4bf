package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Graph;

/**
 * A named graph-to-graph transformation. A pass returns its input instance when it changed nothing;
 * {@link PassManager} uses that identity check as the "changed" signal.
 */
public interface Pass {
    /** Short name used in dumps and logs ({@code cse}, {@code dce}, ...). */
    String name();

    Graph run(Graph g, PassContext cx);
}
