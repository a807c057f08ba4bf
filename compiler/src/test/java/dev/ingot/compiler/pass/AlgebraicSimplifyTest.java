package dev.ingot.compiler.pass;

import static dev.ingot.compiler.pass.IrAssert.assertIrEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.IrParser;
import org.junit.jupiter.api.Test;

class AlgebraicSimplifyTest {
    private static Graph run(Graph g) { return new AlgebraicSimplify().run(g, PassContext.test()); }

    @Test
    void identities() {
        Graph after = run(IrParser.parse("""
            graph f(x: f32[2,3]) {
              %one: f32[] = const {value=1.0}
              %zero: f32[] = const {value=0.0}
              %0: f32[2,3] = mul %x %one
              %1: f32[2,3] = add %0 %zero
              %2: f32[2,3] = neg %1
              %3: f32[2,3] = neg %2
              %4: f32[2,3] = sub %zero %3
              return %4
            }"""));
        assertIrEquals("""
            graph f(x: f32[2,3]) {
              %0: f32[2,3] = neg %x
              return %0
            }""", after);
        assertSame(after, run(after), "idempotent");
    }

    @Test
    void doesNotChangeShapes() {
        // x + 0 with a broadcast result is not x
        Graph g = IrParser.parse("""
            graph f(x: f32[3]) {
              %z: f32[2,3] = const {shape=[2,3], values=[0,0,0,0,0,0]}
              %0: f32[2,3] = add %x %z
              return %0
            }""");
        assertSame(g, run(g));
    }

    @Test
    void foldsTransposesIntoMatmul() {
        Graph after = run(IrParser.parse("""
            graph f(a: f32[4,3], b: f32[5,4]) {
              %0: f32[3,4] = transpose %a {perm=[1,0]}
              %1: f32[4,5] = transpose %b {perm=[1,0]}
              %2: f32[3,5] = matmul %0 %1 {transA=false, transB=false}
              return %2
            }"""));
        assertIrEquals("""
            graph f(a: f32[4,3], b: f32[5,4]) {
              %0: f32[3,5] = matmul %a %b {transA=true, transB=true}
              return %0
            }""", after);
    }

    @Test
    void composesTransposesAndReshapes() {
        Graph after = run(IrParser.parse("""
            graph f(x: f32[2,3,4]) {
              %0: f32[4,2,3] = transpose %x {perm=[2,0,1]}
              %1: f32[2,3,4] = transpose %0 {perm=[1,2,0]}
              %2: f32[6,4] = reshape %1 {shape=[6,4]}
              %3: f32[24] = reshape %2 {shape=[24]}
              return %3
            }"""));
        assertIrEquals("""
            graph f(x: f32[2,3,4]) {
              %0: f32[24] = reshape %x {shape=[24]}
              return %0
            }""", after);
    }
}
