package dev.redwood.runner.portable;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.runner.ChildProcesses;
import dev.redwood.runner.PipelineAssertions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java pipelines through Beam's {@code PortableRunner} to Redwood's job server, their user code in
 * an embedded SDK harness inside Redwood's worker node processes.
 */
class JobServerTest {
  @TempDir static Path temp;
  private static RedwoodJobServer server;
  private static String endpoint;

  @BeforeAll
  static void startServer() throws Exception {
    server = LocalJobServer.start(temp);
    endpoint = server.start();
  }

  @AfterAll
  static void stopServer() {
    server.stop();
  }

  private static Pipeline portable() throws IOException {
    return LocalJobServer.embeddedPipeline(endpoint, temp);
  }

  @Test
  void wordCountGivesTheJavaSdkRunsOutput() throws Exception {
    Path input = temp.resolve("words.txt");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      text.append("the quick brown fox ").append(i % 7 == 0 ? "jumps" : "sleeps").append('\n');
      text.append("over the lazy dog number ").append(i % 13).append('\n');
    }
    Files.writeString(input, text);

    Pipeline portable = portable();
    LocalJobServer.wordCount(portable, input, temp.resolve("portable-counts.txt"));
    assertThat(portable.run().waitUntilFinish(), is(PipelineResult.State.DONE));

    Pipeline java = LocalJobServer.javaSdkPipeline(temp);
    LocalJobServer.wordCount(java, input, temp.resolve("java-counts.txt"));
    assertThat(java.run().waitUntilFinish(), is(PipelineResult.State.DONE));

    List<String> counts = LocalJobServer.sortedLines(temp.resolve("portable-counts.txt"));
    assertThat(counts, equalTo(LocalJobServer.sortedLines(temp.resolve("java-counts.txt"))));
    assertThat(counts.contains("the: 800"), is(true));
  }

  @Test
  void windowsSideInputsAndCountersReachTheClient() throws Exception {
    Pipeline p = portable();
    PCollection<KV<String, Long>> events =
        p.apply(
                Create.timestamped(
                    TimestampedValue.of(KV.of("a", 1L), new Instant(0)),
                    TimestampedValue.of(KV.of("a", 2L), new Instant(1_000)),
                    TimestampedValue.of(KV.of("b", 5L), new Instant(2_000)),
                    TimestampedValue.of(KV.of("a", 10L), new Instant(61_000))))
            .apply(Window.into(FixedWindows.of(Duration.standardMinutes(1))));
    PCollection<KV<String, Long>> sums = events.apply(Sum.longsPerKey());
    PAssert.that(sums)
        .inWindow(
            new org.apache.beam.sdk.transforms.windowing.IntervalWindow(
                new Instant(0), Duration.standardMinutes(1)))
        .containsInAnyOrder(KV.of("a", 3L), KV.of("b", 5L));
    PCollectionView<Long> total =
        p.apply("Numbers", Create.of(1L, 2L, 3L))
            .apply(Sum.longsGlobally())
            .apply(View.asSingleton());
    PCollection<String> scaled =
        p.apply("Keys", Create.of("x", "y"))
            .apply("Scale", ParDo.of(new AppendSideInputFn(total)).withSideInputs(total));
    PAssert.that(scaled).containsInAnyOrder("x=6", "y=6");
    PAssert.that(
            p.apply("Groups", Create.of(KV.of(1, "a"), KV.of(1, "b"), KV.of(2, "c")))
                .apply(GroupByKey.create())
                .apply(
                    MapElements.into(TypeDescriptors.integers())
                        .via(
                            (KV<Integer, Iterable<String>> kv) ->
                                kv.getKey() * 10
                                    + (int)
                                        java.util.stream.StreamSupport.stream(
                                                kv.getValue().spliterator(), false)
                                            .count())))
        .containsInAnyOrder(12, 21);

    PipelineAssertions.run(p);
  }

  @Test
  void aFailingUserFunctionFailsTheJobWithItsMessage() throws Exception {
    Pipeline p = portable();
    p.apply(Create.of(1, 2, 3)).apply(ParDo.of(new FailOnTwoFn()));
    RuntimeException failure =
        assertThrows(RuntimeException.class, () -> p.run().waitUntilFinish());
    assertThat(failure.getMessage(), containsString("redwood portable failure probe"));
    assertThat(ChildProcesses.ofRuns(), is(empty()));
  }

  @Test
  void aDockerEnvironmentWithoutDockerIsRefusedNamingTheStageAndImage() throws Exception {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=PortableRunner",
                    "--jobEndpoint=" + endpoint,
                    "--defaultEnvironmentType=DOCKER",
                    "--defaultEnvironmentConfig=example.invalid/beam-java-sdk:1",
                    "--filesToStage=" + temp.resolve("client-artifact.txt"))
                .create());
    Files.writeString(temp.resolve("client-artifact.txt"), "an artifact\n");
    p.apply(Create.of(1, 2, 3)).apply(ParDo.of(new FailOnTwoFn()));
    RuntimeException failure =
        assertThrows(RuntimeException.class, () -> p.run().waitUntilFinish());
    // This machine has no Docker: the local backend's nodes could not start the container.
    assertThat(
        failure.getMessage(),
        containsString("DOCKER environments: [example.invalid/beam-java-sdk:1 (stage '"));
    assertThat(failure.getMessage(), containsString("local backend's nodes cannot use Docker"));
    assertThat(ChildProcesses.ofRuns(), is(empty()));
  }

  @Test
  void cancelStopsTheRunAndLeavesNothingRunning() throws Exception {
    Pipeline p = portable();
    p.apply(Create.of(1, 2, 3, 4)).apply(ParDo.of(new HoldTaskFn()));
    PipelineResult result = p.run();
    assertThat(
        result.waitUntilFinish(Duration.standardSeconds(8)), is((PipelineResult.State) null));
    result.cancel();
    assertThat(
        result.waitUntilFinish(Duration.standardSeconds(60)), is(PipelineResult.State.CANCELLED));
    long deadline = System.currentTimeMillis() + 20_000;
    while (!ChildProcesses.ofRuns().isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    assertThat(ChildProcesses.ofRuns(), is(empty()));
  }

  /** Appends the side input's value to each element. */
  private static final class AppendSideInputFn extends DoFn<String, String> {
    private final PCollectionView<Long> total;

    AppendSideInputFn(PCollectionView<Long> total) {
      this.total = total;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      c.output(c.element() + "=" + c.sideInput(total));
    }
  }

  /** Fails on element 2 with a message the client must see. */
  private static final class FailOnTwoFn extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer i) {
      if (i == 2) {
        throw new IllegalStateException("redwood portable failure probe");
      }
    }
  }

  /** Holds its task for two minutes, longer than any test waits. */
  private static final class HoldTaskFn extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer i) throws InterruptedException {
      Thread.sleep(120_000);
    }
  }
}
