package dev.ingot.compiler.pass;

import static dev.ingot.compiler.pass.IrAssert.assertIrEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.IrParser;
import org.junit.jupiter.api.Test;

class ConstantFoldingTest {
    @Test
    void foldsScalarArithmetic() {
        Graph before = IrParser.parse("""
            graph f(x: f32[4]) {
              %a: f32[] = const {value=2.0}
              %b: f32[] = const {value=3.0}
              %0: f32[] = mul %a %b
              %1: f32[] = exp %0
              %2: f32[4] = mul %x %1
              return %2
            }""");
        Graph after = new ConstantFolding().run(before, PassContext.test());
        assertIrEquals("""
            graph f(x: f32[4]) {
              %c: f32[] = const {value=403.4287934927351}
              %0: f32[4] = mul %x %c
              return %0
            }""", after);
        assertSame(after, new ConstantFolding().run(after, PassContext.test()), "idempotent");
    }

    @Test
    void keepsBroadcastsAndBatchSizes() {
        Graph g = IrParser.parse("""
            graph f(x: f32[B,4]) {
              %z: f32[] = const {value=0.0}
              %0: f32[784,256] = broadcast_to %z {shape=[784,256]}
              %n: f32[] = batch_size
              %1: f32[] = div %z %n
              return a=%0, b=%1
            }""");
        assertSame(g, new ConstantFolding().run(g, PassContext.test()));
    }
}
