package dev.redwood.runner.e2e;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.runner.PipelineAssertions;
import dev.redwood.runner.portable.LocalJobServer;
import dev.redwood.runner.portable.RedwoodJobServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redwood's job server with {@code --backend=AZURE}, on an emulated Batch account and Azurite:
 * portable Java pipelines run as Batch tasks, their harnesses embedded in the task JVMs.
 */
class AzureJobServerTest {
  @TempDir static Path temp;
  private static OneAccountAzure azure;
  private static RedwoodJobServer server;
  private static String endpoint;

  @BeforeAll
  static void startServer() throws Exception {
    azure = new OneAccountAzure("portable");
    Path parameters =
        azure.parameters(
            temp, List.of(azure.pool("portable-pool", "Standard_D2s_v5", 2, 2)), Map.of());
    server = azure.jobServer(temp, parameters);
    endpoint = server.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop();
    }
    if (azure != null) {
      azure.close();
    }
  }

  private static Pipeline portable() throws Exception {
    return LocalJobServer.embeddedPipeline(endpoint, temp);
  }

  @Test
  void aWordCountRunsAsBatchTasksAndLeavesNothingBehind() throws Exception {
    Pipeline p = portable();
    PCollection<String> counts =
        p.apply(Create.of("the cat", "the dog", "a cat and the bird"))
            .apply(
                FlatMapElements.into(TypeDescriptors.strings())
                    .via((String line) -> List.of(line.split(" "))))
            .apply(Count.perElement())
            .apply(
                MapElements.into(TypeDescriptors.strings())
                    .via((KV<String, Long> kv) -> kv.getKey() + ": " + kv.getValue()));
    PAssert.that(counts)
        .containsInAnyOrder("the: 3", "cat: 2", "dog: 1", "a: 1", "and: 1", "bird: 1");
    PipelineAssertions.run(p);

    assertThat("tasks were added to the emulated account", azure.tasksAdded().isEmpty(), is(false));
    assertThat(azure.activeJobs(), is(empty()));
    assertThat(azure.liveProcessesAfterAWhile(), is(empty()));
  }

  @Test
  void aFailingFunctionFailsTheJobWithItsMessage() throws Exception {
    Pipeline p = portable();
    p.apply(Create.of(1, 2, 3)).apply(ParDo.of(new FailOnTwoOnAzureFn()));
    RuntimeException failure =
        assertThrows(RuntimeException.class, () -> p.run().waitUntilFinish());
    assertThat(failure.getMessage(), containsString("redwood portable failure probe on Azure"));
    assertThat(azure.activeJobs(), is(empty()));
    assertThat(azure.liveProcessesAfterAWhile(), equalTo(List.of()));
  }

  /** Fails on element 2 with a message the client must see. */
  private static final class FailOnTwoOnAzureFn extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer i) {
      if (i == 2) {
        throw new IllegalStateException("redwood portable failure probe on Azure");
      }
    }
  }
}
