package dev.ingot.compiler.pass;

import static dev.ingot.compiler.pass.IrAssert.assertIrEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.IrParser;
import org.junit.jupiter.api.Test;

class CommonSubexprEliminationTest {
    @Test
    void mergesCommutedDuplicates() {
        Graph before = IrParser.parse("""
            graph f(x: f32[2,3], y: f32[2,3]) {
              %0: f32[2,3] = add %x %y
              %1: f32[2,3] = add %y %x
              %2: f32[2,3] = mul %0 %1
              return %2
            }""");
        Graph after = new CommonSubexprElimination().run(before, PassContext.test());
        assertNotSame(before, after);
        assertIrEquals("""
            graph f(x: f32[2,3], y: f32[2,3]) {
              %0: f32[2,3] = add %x %y
              %1: f32[2,3] = mul %0 %0
              return %1
            }""", after);
        assertSame(after, new CommonSubexprElimination().run(after, PassContext.test()), "idempotent");
    }

    @Test
    void keepsNonCommutativeOperandOrder() {
        Graph g = IrParser.parse("""
            graph f(x: f32[2,3], y: f32[2,3]) {
              %0: f32[2,3] = sub %x %y
              %1: f32[2,3] = sub %y %x
              %2: f32[2,3] = mul %0 %1
              return %2
            }""");
        assertSame(g, new CommonSubexprElimination().run(g, PassContext.test()));
    }
}
