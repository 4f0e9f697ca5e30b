package dev.redwood.runner.driver;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.runner.PipelineAssertions;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node lost under a task costs the work it held, not one of the task's retries: on the local
 * backend a DoFn that ends its own node JVM (as the kernel's OOM killer would) stands for the node.
 */
class NodeLossTest {
  @TempDir Path temp;

  /** Ends its node JVM with code 137 the first {@code times} times an element 7 is processed. */
  static final class NodeKiller extends DoFn<Integer, Integer> {
    private final String markers;
    private final int times;

    NodeKiller(Path markers, int times) {
      this.markers = markers.toString();
      this.times = times;
    }

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) throws IOException {
      if (x == 7) {
        for (int i = 0; i < times; i++) {
          try {
            Files.createFile(Path.of(markers, "kill-" + i));
            Runtime.getRuntime().halt(137);
          } catch (FileAlreadyExistsException e) {
            // That loss happened already.
          }
        }
      }
      out.output(x);
    }
  }

  private Pipeline pipeline(int kills) throws IOException {
    Path markers = Files.createDirectories(temp.resolve("markers"));
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=AzureBatchRunner",
                    "--inProcessNodes=false",
                    "--localNodes=2",
                    "--nodeHeapMb=256",
                    "--maxTaskRetries=0",
                    "--workerJvmFlags=-XX:TieredStopAtLevel=1",
                    "--localWorkDir=" + temp.resolve("redwood"),
                    "--quiet")
                .create());
    PCollection<Integer> sum =
        p.apply(Create.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
            .apply(ParDo.of(new NodeKiller(markers, kills)))
            .apply(Sum.integersGlobally());
    PAssert.thatSingleton(sum).isEqualTo(55);
    return p;
  }

  @Test
  void aTaskWhoseNodeDiesRunsAgainWithoutSpendingARetry() throws IOException {
    // --maxTaskRetries=0: any counted failure would fail the run.
    Pipeline p = pipeline(2);
    PipelineResult result = PipelineAssertions.run(p);
    assertThat(result.getState(), is(PipelineResult.State.DONE));
    assertThat(Files.exists(temp.resolve("markers/kill-1")), is(true));
  }

  @Test
  void aTaskThatKeepsLosingItsNodeIsGivenUpSayingSo() throws IOException {
    Pipeline p = pipeline(JobDriver.MAX_NODE_LOSSES + 1);
    Pipeline.PipelineExecutionException e =
        assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run().waitUntilFinish());
    assertThat(
        e.getMessage(),
        containsString("lost its node " + (JobDriver.MAX_NODE_LOSSES + 1) + " times"));
    assertThat(e.getMessage(), containsString("exited with code 137"));
  }
}
