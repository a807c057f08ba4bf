package dev.ingot.compiler.pass;

import static dev.ingot.compiler.pass.IrAssert.assertIrEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.IrParser;
import org.junit.jupiter.api.Test;

class ReluMaskFromOutputTest {
    @Test
    void theBackwardMaskIsReadFromTheReluOutput() {
        Graph before = IrParser.parse("""
            graph f(x: f32[2,3], g: f32[2,3]) {
              %0: f32[] = const {value=0.0}
              %1: bool[2,3] = gt %x %0
              %2: f32[2,3] = where %1 %x %0
              %3: f32[2,3] = where %1 %g %0
              return y=%2, dx=%3
            }""");
        Graph after = new ReluMaskFromOutput().run(before, PassContext.test());
        assertIrEquals("""
            graph f(x: f32[2,3], g: f32[2,3]) {
              %0: f32[] = const {value=0.0}
              %1: bool[2,3] = gt %x %0
              %2: f32[2,3] = where %1 %x %0
              %3: bool[2,3] = gt %2 %0
              %4: f32[2,3] = where %3 %g %0
              return y=%2, dx=%4
            }""", after);
        assertSame(after, new ReluMaskFromOutput().run(after, PassContext.test()), "idempotent");
    }

    @Test
    void leavesOtherMasksAlone() {
        Graph before = IrParser.parse("""
            graph f(x: f32[2,3], g: f32[2,3]) {
              %0: f32[] = const {value=0.5}
              %1: bool[2,3] = gt %x %0
              %2: f32[2,3] = where %1 %x %0
              %3: f32[2,3] = where %1 %g %0
              return y=%2, dx=%3
            }""");
        assertSame(before, new ReluMaskFromOutput().run(before, PassContext.test()));
    }
}
