package dev.ingot.compiler.pass;

import static dev.ingot.compiler.pass.IrAssert.assertIrEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.IrParser;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeadCodeEliminationTest {
    @Test
    void dropsUnrequestedOutputsAndWhatOnlyTheyNeeded() {
        Graph before = IrParser.parse("""
            graph f(x: f32[2,3], w: f32[3,4] param) {
              %0: f32[2,4] = matmul %x %w {transA=false, transB=false}
              %1: f32[2,4] = exp %0
              %2: f32[2,4] = tanh %0
              return a=%1, b=%2
            }""");
        Graph after = new DeadCodeElimination(Set.of("a")).run(before, PassContext.test());
        assertIrEquals("""
            graph f(x: f32[2,3], w: f32[3,4] param) {
              %0: f32[2,4] = matmul %x %w {transA=false, transB=false}
              %1: f32[2,4] = exp %0
              return a=%1
            }""", after);
        assertSame(after, new DeadCodeElimination(Set.of("a")).run(after, PassContext.test()), "idempotent");
    }

    @Test
    void dropsSelfAssignments() {
        Graph before = IrParser.parse("""
            graph f(x: f32[3], w: f32[3] param) {
              %0: f32[3] = add %x %w
              return %0
              update %w <- %w
            }""");
        Graph after = new DeadCodeElimination().run(before, PassContext.test());
        assertIrEquals("""
            graph f(x: f32[3], w: f32[3] param) {
              %0: f32[3] = add %x %w
              return %0
            }""", after);
    }
}
