package dev.redwood.runner.e2e;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.redwood.runner.batch.azure.restdouble.BatchRestDouble;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a run is called on Batch and how long and how often it may try, on one Batch REST double and
 * Azurite: run ids and display names from {@code _JOB_ID} and {@code --jobName}, the driver as the
 * one retry layer, {@code --maxRunDuration} and the grant limits of Entra ID storage.
 */
class AzureRunLimitsTest {
  private static OneAccountAzure azure;
  private static BatchRestDouble batch;

  @TempDir Path temp;

  @BeforeAll
  static void startDouble() throws IOException {
    azure = new OneAccountAzure("limits");
    batch = azure.batch;
  }

  @AfterAll
  static void stopDouble() {
    if (azure != null) {
      azure.close();
    }
  }

  @AfterEach
  void nothingLeftRunning() throws Exception {
    batch.stopInjectingTaskFailures(); // a test's injected failures are its own
    assertThat("task processes left behind", azure.liveProcessesAfterAWhile(), is(List.of()));
    assertThat("active jobs left behind", azure.activeJobs(), is(List.of()));
  }

  @Test
  void batchJobsAreNamedAfterJobIdAndJobNameAndEndWithTheRun() throws IOException {
    Path out = temp.resolve("out");
    Pipeline p = pipeline(config(Map.of("jobId", "rtm")), "--jobName=Nightly RTM");
    p.apply(Create.of("a", "b", "c"))
        .apply(MapElements.into(TypeDescriptors.strings()).via(s -> s.toUpperCase()))
        .apply(TextIO.write().to(out.resolve("letters").toString()).withoutSharding());
    assertThat(p.run().waitUntilFinish(), is(PipelineResult.State.DONE));
    assertThat(
        Files.readAllLines(out.resolve("letters"), StandardCharsets.UTF_8).stream()
            .sorted()
            .toList(),
        is(List.of("A", "B", "C")));

    JsonNode job = onlyJobCreated();
    assertThat(
        job.path("id").asText(),
        matchesPattern("rtm-nightly-rtm-\\d{8}-\\d{6}-[0-9a-f]{6}-limits-pool"));
    assertThat(job.path("displayName").asText(), is("Nightly RTM on limits/limits-pool"));
    assertThat(job.path("metadata").get(0).path("name").asText(), is("redwood-run"));
    assertThat(
        job.path("id").asText(), startsWith(job.path("metadata").get(0).path("value").asText()));
    // --maxRunDuration's default (48 h) plus the grace Batch gives a driver that is gone.
    Duration wallClock = Duration.parse(job.path("constraints").path("maxWallClockTime").asText());
    assertThat(wallClock.compareTo(Duration.ofHours(48)), greaterThan(0));
    assertThat(wallClock.compareTo(Duration.ofHours(48).plusMinutes(6)), lessThan(0));
  }

  @Test
  void theDriverIsTheOneRetryLayerAndTakesNumRetrysFromTheFile() throws IOException {
    batch.failTaskExecutions("s\\d+-t0-a\\d+", 100);
    Pipeline p = pipeline(config(Map.of("taskRetries", 2)));
    p.apply(Create.of("a", "b"))
        .apply(MapElements.into(TypeDescriptors.strings()).via(s -> s + "!"))
        .apply(TextIO.write().to(temp.resolve("never").toString()));
    PipelineResult result = p.run();
    assertThrows(Pipeline.PipelineExecutionException.class, result::waitUntilFinish);

    List<JsonNode> added = tasksAdded();
    List<String> firstTaskAttempts = new ArrayList<>();
    for (JsonNode t : added) {
      if (t.path("id").asText().matches("s\\d+-t0-a\\d+")) {
        firstTaskAttempts.add(t.path("id").asText());
      }
    }
    // _NUM_RETRYS = 2: three attempts in all, each run once by Batch.
    assertThat(firstTaskAttempts, hasSize(3));
    assertThat(
        added.stream().map(t -> t.path("constraints").path("maxTaskRetryCount").asInt(-1)).toList(),
        everyItem(is(0)));
  }

  @Test
  void numRetrysAndMaxTaskRetriesThatDisagreeAreRefusedBeforeAnyBatchRequest() throws IOException {
    batch.clearRequests();
    Pipeline p = pipeline(config(Map.of("taskRetries", 2)), "--maxTaskRetries=5");
    p.apply(Create.of("a"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::run);
    assertThat(e.getMessage(), containsString("--maxTaskRetries=5"));
    assertThat(e.getMessage(), containsString("_NUM_RETRYS"));
    assertThat(batch.requests(), is(List.of()));
  }

  @Test
  void aRunPastItsMaxRunDurationFailsNamingTheOptionAndWhatWasLeft() throws IOException {
    Pipeline p = pipeline(config(Map.of()), "--maxRunDuration=PT25S");
    p.apply(Create.of(1, 2))
        .apply(
            MapElements.into(TypeDescriptors.integers())
                .via(
                    i -> {
                      try {
                        Thread.sleep(120_000);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return i;
                    }))
        .apply(MapElements.into(TypeDescriptors.strings()).via(i -> "" + i))
        .apply(TextIO.write().to(temp.resolve("never").toString()));
    long start = System.nanoTime();
    PipelineResult result = p.run();
    Pipeline.PipelineExecutionException e =
        assertThrows(Pipeline.PipelineExecutionException.class, result::waitUntilFinish);
    assertThat((System.nanoTime() - start) / 1e9, lessThan(100.0));
    assertThat(e.getMessage(), containsString("--maxRunDuration=PT25S"));
    assertThat(e.getMessage(), containsString("still to do: stage '"));
  }

  @Test
  void aRunLongerThanEntraStorageGrantsIsRefusedBeforeAnythingIsCreated() throws IOException {
    batch.clearRequests();
    Map<String, Object> storage = new LinkedHashMap<>();
    // Signs in with DefaultAzureCredential; the run must stop before it would contact the account.
    storage.put("accountName", "rwnotcontacted");
    Pipeline p = pipeline(config(Map.of()), storage, "--maxRunDuration=P7D");
    p.apply(Create.of("a"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::run);
    assertThat(e.getMessage(), containsString("--maxRunDuration=P7D"));
    assertThat(e.getMessage(), containsString("7 days"));
    assertThat(e.getMessage(), containsString("--maxRunDuration=167h or less"));
    assertThat(batch.requests(), is(List.of()));
  }

  /** The parameters file: one pool of one node with two slots, plus {@code extra} keys. */
  @Test
  void pollingSlowsDownWhileATaskRunsLong() throws IOException {
    Path out = temp.resolve("slept");
    Pipeline p = pipeline(config(Map.of())); // polls every 200 ms while tasks change
    p.apply(Create.of("long"))
        .apply(
            MapElements.into(TypeDescriptors.strings())
                .via(
                    s -> {
                      try {
                        Thread.sleep(12_000);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return s + " task done";
                    }))
        .apply(TextIO.write().to(out.toString()).withoutSharding());
    assertThat(p.run().waitUntilFinish(), is(PipelineResult.State.DONE));
    assertThat(Files.readAllLines(out), is(List.of("long task done")));

    BatchRestDouble.TaskTiming sleeper =
        batch.taskTimings().stream()
            .filter(t -> t.startTime() != null && t.endTime() != null)
            .filter(t -> Duration.between(t.startTime(), t.endTime()).toSeconds() >= 11)
            .findFirst()
            .orElseThrow();
    long listsWhileItRan =
        batch.requests().stream()
            .filter(r -> r.method().equals("GET") && r.path().endsWith("/tasks"))
            .filter(r -> r.time().isAfter(sleeper.startTime().plusSeconds(1)))
            .filter(r -> r.time().isBefore(sleeper.endTime()))
            .count();
    // At a fixed 200 ms: about 55 lists. Growing by a quarter per quiet poll: about a dozen.
    assertThat(listsWhileItRan, lessThan(25L));
  }

  private Path config(Map<String, Object> extra) throws IOException {
    return azure.parameters(
        temp, List.of(azure.pool("limits-pool", "Standard_D2s_v5", 1, 2)), extra);
  }

  private Pipeline pipeline(Path parameters, String... extra) throws IOException {
    return azure.pipeline(temp, parameters, extra);
  }

  private Pipeline pipeline(Path parameters, Map<String, Object> storage, String... extra)
      throws IOException {
    return azure.pipeline(temp, parameters, storage, extra);
  }

  private static JsonNode onlyJobCreated() {
    List<JsonNode> jobs = azure.jobsCreated();
    assertThat(jobs, hasSize(1));
    return jobs.get(0);
  }

  private static List<JsonNode> tasksAdded() {
    return azure.tasksAdded();
  }
}
