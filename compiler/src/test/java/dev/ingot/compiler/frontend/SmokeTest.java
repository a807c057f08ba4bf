package dev.ingot.compiler.frontend;

import dev.ingot.compiler.Compiler;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test void mlp() throws Exception {
        var r = Compiler.compile(SourceFile.read(Path.of("../dsl-examples/mnist_mlp.ingot")), Compiler.Options.defaults());
        Files.writeString(Path.of("/tmp/MnistMlp.java"), r.source().code());
        for (var e : r.entries()) Files.writeString(Path.of("/tmp/" + e.method() + ".ir"), e.graph().toString());
        var m = r.instantiate(128);
        var x = m.inputF32("x");
        var y = m.inputI32("y");
        var rnd = new java.util.Random(1);
        for (int i = 0; i < 128 * 784; i++) x[i] = rnd.nextFloat();
        for (int i = 0; i < 128; i++) y[i] = rnd.nextInt(10);
        for (int s = 0; s < 5; s++) System.out.println("loss " + m.trainStep(128));
        System.out.println("eval " + m.evaluate(128));
    }
}
