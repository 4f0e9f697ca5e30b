package dev.redwood.runner.e2e;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume on Azure (a Batch REST double and Azurite): everything a resumed run needs is in the blob
 * container, and the resumed session runs under Batch jobs of its own.
 */
class AzureResumeTest {
  private static OneAccountAzure azure;

  @TempDir Path temp;

  @BeforeAll
  static void startDouble() throws IOException {
    azure = new OneAccountAzure("resume");
  }

  @AfterAll
  static void stopDouble() {
    if (azure != null) {
      azure.close();
    }
  }

  @AfterEach
  void nothingLeftRunning() throws Exception {
    assertThat("task processes left behind", azure.liveProcessesAfterAWhile(), is(List.of()));
    assertThat("active jobs left behind", azure.activeJobs(), is(List.of()));
  }

  private Pipeline pipeline(Path out, String... extra) throws IOException {
    Path parameters =
        azure.parameters(
            temp, List.of(azure.pool("resume-pool", "Standard_D2s_v5", 1, 2)), Map.of());
    List<String> args = new ArrayList<>(List.of("--jobName=nightly", "--maxTaskRetries=0"));
    args.addAll(List.of(extra));
    Pipeline p = azure.pipeline(temp, parameters, args.toArray(new String[0]));
    List<String> words = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      words.add("w" + i);
    }
    p.apply(Create.of(words))
        .apply("upper", MapElements.into(TypeDescriptors.strings()).via(s -> s.toUpperCase()))
        .apply(Reshuffle.viaRandomKey())
        .apply("mark", ParDo.of(new MarkUnlessTold(temp.resolve("fail").toString())))
        .apply(TextIO.write().to(out.resolve("words").toString()).withoutSharding());
    return p;
  }

  /** Appends "!"; fails while the file {@code flag} exists (tasks run on this machine). */
  static final class MarkUnlessTold extends DoFn<String, String> {
    private final String flag;

    MarkUnlessTold(String flag) {
      this.flag = flag;
    }

    @ProcessElement
    public void process(@Element String s, OutputReceiver<String> out) {
      if (Files.exists(Path.of(flag))) {
        throw new IllegalStateException("told to fail");
      }
      out.output(s + "!");
    }
  }

  /** Ids of the tasks added since the pipeline was made. */
  private static List<String> taskIds() {
    return azure.tasksAdded().stream().map(t -> t.path("id").asText()).toList();
  }

  @Test
  void aFailedRunIsResumedFromTheBlobContainerUnderNewBatchJobs() throws IOException {
    Path out = temp.resolve("out");
    // The stage after the Reshuffle fails: the first stage commits, the run fails.
    Files.createFile(temp.resolve("fail"));
    Pipeline first = pipeline(out);
    assertThrows(Pipeline.PipelineExecutionException.class, () -> first.run().waitUntilFinish());
    List<String> firstTasks = taskIds();
    assertThat(firstTasks.stream().filter(id -> id.startsWith("s0-")).toList(), not(empty()));
    String firstJob = azure.jobsCreated().get(0).path("id").asText();

    Files.delete(temp.resolve("fail"));
    Pipeline resumed = pipeline(out, "--resume");
    assertThat(resumed.run().waitUntilFinish(), is(PipelineResult.State.DONE));

    List<String> words = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      words.add("W" + i + "!");
    }
    assertThat(
        Files.readAllLines(out.resolve("words"), StandardCharsets.UTF_8).stream().sorted().toList(),
        is(words.stream().sorted().toList()));
    // The committed first stage ran no task again.
    List<String> resumedTasks = taskIds();
    assertThat(resumedTasks.stream().filter(id -> id.startsWith("s0-")).toList(), is(empty()));
    assertThat(resumedTasks, not(empty()));
    List<JsonNode> jobs = azure.jobsCreated();
    assertThat(jobs, hasSize(1));
    String resumedJob = jobs.get(0).path("id").asText();
    assertThat(resumedJob, matchesPattern(".*-r1-resume-pool"));
    assertThat(resumedJob.replace("-r1-resume-pool", "-resume-pool"), is(firstJob));
  }
}
