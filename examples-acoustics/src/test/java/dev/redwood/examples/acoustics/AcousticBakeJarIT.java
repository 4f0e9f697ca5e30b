package dev.redwood.examples.acoustics;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import dev.redwood.examples.acoustics.encoding.BakeReader;
import dev.redwood.examples.acoustics.pipeline.WriteBakeFn;
import dev.redwood.runner.consumer.ConsumerBuild;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acoustic bake run by a user's project from the published artifact (outside this reactor, its
 * pom alone giving the classpath), on the local backend.
 */
class AcousticBakeJarIT {
  @TempDir Path work;

  @Test
  void bakesABundledPlanFromThePublishedArtifact() throws IOException {
    String settings =
        "--sceneFile="
            + ConsumerBuild.root().resolve("examples-acoustics/scenes/two-rooms.txt")
            + " --probeSpacing=1.5 --frequency=250 --duration=0.3 --cellSpacing=0.5";
    ConsumerBuild build = ConsumerBuild.ofExample("examples-acoustics", work);

    ConsumerBuild.BuildResult result =
        build.runExample(
            "examples-acoustics",
            "dev.redwood.examples.acoustics.AcousticBake",
            settings
                + " --runner=AzureBatchRunner --output=target/acoustics --localNodes=2"
                + " --workerJvmFlags=--add-modules=jdk.incubator.vector");

    assertThat(result.output(), result.exitCode(), is(0));
    PipelineOptionsFactory.register(AcousticsOptions.class);
    BakeInputs inputs =
        BakeInputs.from(
            PipelineOptionsFactory.fromArgs(settings.split(" ")).as(AcousticsOptions.class));
    try (BakeReader bake =
        new BakeReader(
            build.project().resolve("target/acoustics").resolve(WriteBakeFn.FILE_NAME))) {
      assertThat(bake.probes().size(), equalTo(inputs.probes().size()));
    }
  }
}
