package dev.redwood.examples.rtm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.redwood.examples.rtm.pipeline.WriteImageFn;
import dev.redwood.runner.consumer.ConsumerBuild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RTM example run by a user's project from the published artifact (outside this reactor, its
 * pom alone giving the classpath), on the local backend.
 */
class ReverseTimeMigrationJarIT {
  @TempDir Path work;

  @Test
  void migratesASmallSurveyFromThePublishedArtifact() throws IOException {
    ConsumerBuild build = ConsumerBuild.ofExample("examples-rtm", work);

    ConsumerBuild.BuildResult result =
        build.runExample(
            "examples-rtm",
            "dev.redwood.examples.rtm.ReverseTimeMigration",
            "--modelNz=40 --modelNx=90 --gridSpacing=20 --shots=3 --frequency=10 --recordingTime=1.0"
                + " --smoothing=80 --outputDirectory=target/rtm --localNodes=2");

    assertThat(result.output(), result.exitCode(), is(0));
    Path out = build.project().resolve("target/rtm");
    try (Stream<Path> shots = Files.list(out.resolve("shots"))) {
      assertThat(shots.count(), equalTo(3L));
    }
    assertThat(Files.size(out.resolve(WriteImageFn.STACK)), equalTo(4L * 40 * 90));
    assertThat(Files.size(out.resolve("image.png")), greaterThan(1000L));
  }
}
