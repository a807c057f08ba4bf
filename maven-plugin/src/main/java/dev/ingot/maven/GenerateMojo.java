package dev.ingot.maven;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.descriptor.PluginDescriptor;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Compiles the Ingot models ({@code **}{@code /*.ingot}) under {@link #sourceDirectory} into Java
 * sources under {@link #outputDirectory}, one class per model extending
 * {@code dev.ingot.runtime.model.CompiledModel}, and adds that directory to the project's compile
 * source roots. Unchanged models are not regenerated; outputs of deleted models are removed. A DSL
 * error fails the build with {@code /path/model.ingot:[line,col] message}.
 *
 * <p>The generated classes need {@code dev.ingot:ingot-runtime} on the compile and runtime class
 * path and, for {@code target=vector}, {@code --add-modules jdk.incubator.vector} for javac and
 * for every JVM that runs them.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class GenerateMojo extends AbstractMojo {

    /** Where the models are; every {@code .ingot} file below it is compiled. */
    @Parameter(property = "ingot.sourceDirectory", defaultValue = "${project.basedir}/src/main/ingot", required = true)
    File sourceDirectory;

    /** Where the generated Java sources go (added as a compile source root). */
    @Parameter(property = "ingot.outputDirectory", defaultValue = "${project.build.directory}/generated-sources/ingot", required = true)
    File outputDirectory;

    /**
     * Package of every generated class. When not set, a model's package is its directory under
     * {@link #sourceDirectory} ({@code src/main/ingot/com/acme/m.ingot} gives {@code com.acme}),
     * and {@code ingot.generated} for a model directly in {@link #sourceDirectory}.
     */
    @Parameter(property = "ingot.packageName")
    String packageName;

    /** Generate {@code predict} only: no loss, gradients or optimizer ({@code trainStep} and {@code evaluate} throw). */
    @Parameter(property = "ingot.inferenceOnly", defaultValue = "false")
    boolean inferenceOnly;

    /**
     * {@code vector}: kernels use the JDK Vector API (needs {@code --add-modules jdk.incubator.vector}
     * to compile and run); {@code scalar}: plain Java loops, no extra flags.
     */
    @Parameter(property = "ingot.target", defaultValue = "vector")
    String target;

    /**
     * Also generate the split training step, {@code computeGradients} and {@code applyUpdate}, which
     * data-parallel training (ingot-spark's {@code DataParallelTrainer}) needs; {@code trainStep} is the same either way.
     */
    @Parameter(property = "ingot.splitStep", defaultValue = "false")
    boolean splitStep;

    /** Skip this goal (no generation, no source root). */
    @Parameter(property = "ingot.skip", defaultValue = "false")
    boolean skip;

    /** The file remembering what was generated, to skip unchanged models. */
    @Parameter(defaultValue = "${project.build.directory}/ingot-maven-plugin", readonly = true, required = true)
    File stateDirectory;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    @Parameter(defaultValue = "${plugin}", readonly = true)
    PluginDescriptor plugin;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("ingot: skipped (ingot.skip)");
            return;
        }
        boolean vector = switch (target == null ? "vector" : target.trim().toLowerCase(Locale.ROOT)) {
            case "vector" -> true;
            case "scalar" -> false;
            default -> throw new MojoFailureException("ingot: <target> must be vector or scalar, got '" + target + "'");
        };
        Path out = outputDirectory.toPath().toAbsolutePath().normalize();
        String version = plugin == null ? "unknown" : plugin.getVersion();
        Path state = stateDirectory.toPath().resolve("state-" + Generator.sha256(out.toString()).substring(0, 12) + ".properties");
        String pkg = packageName == null || packageName.isBlank() ? null : packageName.trim();
        Generator.Report report;
        try {
            Generator g = new Generator(new Generator.Settings(sourceDirectory.toPath(), out, state, pkg, inferenceOnly, vector,
                    "ingot-maven-plugin " + version + " compiler " + Generator.compilerFingerprint(), splitStep));
            report = g.run();
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException("ingot: " + e.getMessage());
        } catch (Generator.InternalFailure e) {
            throw new MojoExecutionException(e.getMessage(), e.getCause());
        } catch (IOException e) {
            throw new MojoExecutionException("ingot: " + e, e);
        }

        for (Generator.Generated g : report.generated()) getLog().info("ingot: " + g.model() + " -> " + g.output());
        for (String r : report.removed()) getLog().info("ingot: removed " + r + " (its model is gone)");
        int n = report.upToDate().size();
        if (n > 0) getLog().info("ingot: " + n + (n == 1 ? " model" : " models") + " up to date");
        if (report.generated().isEmpty() && n == 0 && report.problems().isEmpty()) {
            getLog().info("ingot: no models in " + sourceDirectory);
        }
        project.addCompileSourceRoot(out.toString());

        List<Generator.Problem> problems = report.problems();
        if (!problems.isEmpty()) {
            StringBuilder msg = new StringBuilder();
            for (Generator.Problem p : problems) {
                getLog().error(p.render());
                if (msg.length() > 0) msg.append('\n');
                msg.append(p.render());
            }
            int files = (int) problems.stream().map(Generator.Problem::file).distinct().count();
            getLog().error("ingot: " + problems.size() + (problems.size() == 1 ? " error" : " errors") + " in "
                    + files + (files == 1 ? " model" : " models"));
            throw new MojoFailureException(msg.toString());
        }
    }
}
