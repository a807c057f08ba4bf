package dev.ingot.compiler.frontend;

import dev.ingot.compiler.ir.Graph;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test void mlp() {
        ModelIr m = Frontend.compile(SourceFile.read(Path.of("../dsl-examples/mnist_mlp.ingot")));
        System.out.println(new Graph("fwd", List.of(new Graph.Output("logits", m.outputs().get("logits")), new Graph.Output("loss", m.loss())), List.of()));
    }
}
