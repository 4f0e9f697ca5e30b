package dev.redwood.runner.e2e;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.fasterxml.jackson.databind.JsonNode;
import dev.redwood.runner.azure.Azurite;
import dev.redwood.runner.azure.EmulatedAzure;
import dev.redwood.runner.batch.azure.restdouble.BatchRestDouble;
import dev.redwood.runner.batch.azure.restdouble.RecordedRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Task logs on the Azure backend (a Batch REST double and Azurite): a failed task's stdout and
 * stderr outlive its Batch job in the logs container, the failure message says where and how to
 * fetch them, and each run deletes the logs older than its {@code --taskLogRetention}.
 */
class AzureTaskLogsTest {
  private static final Pattern FETCH =
      Pattern.compile(
          "az storage blob download --account-name (\\S+) --container-name (\\S+) --name"
              + " (\\S+/stderr\\.txt) --file stderr\\.txt");

  @TempDir static Path azureDir;
  private static EmulatedAzure azure;
  private static BatchRestDouble batch;
  private static String logsContainer;

  @BeforeAll
  static void startAzure() throws IOException {
    azure = EmulatedAzure.start(azureDir, 2);
    batch = azure.batch();
    logsContainer = azure.blobContainer() + "-logs";
  }

  @AfterAll
  static void cleanUp() {
    if (azure != null) {
      azure.close();
      EmulatedAzure.storage().getBlobContainerClient(logsContainer).deleteIfExists();
      EmulatedAzure.storage().getBlobContainerClient(azure.blobContainer()).deleteIfExists();
    }
  }

  @BeforeEach
  void forgetRequests() {
    batch.clearRequests();
  }

  @AfterEach
  void nothingLeftOnTheNodes() {
    assertThat("task processes left behind", batch.liveProcesses(), is(empty()));
  }

  private Pipeline pipeline(String... extra) {
    List<String> args = new ArrayList<>(azure.runnerArgs());
    args.addAll(
        List.of(
            "--maxTaskRetries=0",
            "--workerJvmFlags=-XX:TieredStopAtLevel=1,-XX:+UseSerialGC",
            "--quiet"));
    args.addAll(List.of(extra));
    return Pipeline.create(PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create());
  }

  /** Writes a marker to stderr, then fails. */
  static final class FailLoudlyFn extends DoFn<String, String> {
    @ProcessElement
    public void process(@Element String marker) {
      System.err.println("stderr of the failing task: " + marker);
      throw new IllegalStateException("failing on purpose");
    }
  }

  private static BlobContainerClient logs() {
    return EmulatedAzure.storage().getBlobContainerClient(logsContainer);
  }

  /** Puts a log blob of an earlier run into the logs container. */
  private static String earlierLog(String name) {
    BlobContainerClient logs = logs();
    logs.createIfNotExists();
    logs.getBlobClient(name).upload(BinaryData.fromString("an earlier run's log"));
    return name;
  }

  /** The ids of the Batch jobs the run created. */
  private static List<String> batchJobIds() {
    List<String> ids = new ArrayList<>();
    for (RecordedRequest r : batch.requests()) {
      if (r.method().equals("POST") && r.path().equals("/jobs")) {
        ids.add(r.bodyJson().get("id").asText());
      }
    }
    return ids;
  }

  private static List<JsonNode> addedTasks() {
    List<JsonNode> tasks = new ArrayList<>();
    for (RecordedRequest r : batch.requests()) {
      if (r.path().endsWith("/addtaskcollection")) {
        r.bodyJson().get("value").forEach(tasks::add);
      }
    }
    return tasks;
  }

  @Test
  void aFailedTasksLogOutlivesItsJobAndLogsPastTheRetentionAreDeleted() throws Exception {
    String marker = UUID.randomUUID().toString();
    String old = earlierLog("redwood-earlier-run/s0-t0-a0/stderr.txt");
    Instant seeded = Instant.now();
    Duration retention = Duration.ofSeconds(10);
    // The earlier log is past the retention before the run starts; the run's own logs are
    // seconds old when it ends, well within it.
    Thread.sleep(retention.toMillis() + 500);
    Pipeline p = pipeline("--taskLogRetention=PT10S");
    p.apply(Create.of(marker)).apply(ParDo.of(new FailLoudlyFn()));
    Pipeline.PipelineExecutionException e =
        assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run().waitUntilFinish());
    Instant ended = Instant.now();
    String message = e.getMessage();
    assertThat(message, containsString("failing on purpose"));
    assertThat(message, containsString("Task logs (kept 10 seconds after the run)"));
    assertThat(message, not(containsString("sig=")));
    Matcher fetch = FETCH.matcher(message);
    assertThat(message, fetch.find(), is(true));
    assertThat(fetch.group(1), is(Azurite.ACCOUNT));
    assertThat(fetch.group(2), is(logsContainer));
    String stderrBlob = fetch.group(3);
    List<String> jobs = batchJobIds();
    assertThat(jobs.size(), is(1));
    assertThat(stderrBlob, startsWith(jobs.get(0) + "/"));

    // The Batch job is gone; its task's stderr is in the logs container.
    assertThat(
        batch.requests().stream()
            .filter(r -> r.method().equals("DELETE") && r.path().equals("/jobs/" + jobs.get(0)))
            .count(),
        is(1L));
    String stderr = logs().getBlobClient(stderrBlob).downloadContent().toString();
    assertThat(stderr, containsString("stderr of the failing task: " + marker));
    assertThat(
        logs().getBlobClient(stderrBlob.replace("stderr.txt", "stdout.txt")).exists(), is(true));

    // Every task uploads both files when it completes, through a create/write-only grant.
    List<JsonNode> tasks = addedTasks();
    assertThat(tasks.size(), greaterThan(0));
    for (JsonNode task : tasks) {
      JsonNode files = task.get("outputFiles");
      assertThat(files.size(), is(2));
      for (JsonNode f : files) {
        assertThat(f.get("filePattern").asText(), startsWith("../std"));
        assertThat(f.at("/uploadOptions/uploadCondition").asText(), is("taskcompletion"));
        String url = f.at("/destination/container/containerUrl").asText();
        assertThat(url, containsString("/" + logsContainer + "?"));
        assertThat(url, containsString("sp=cw&"));
      }
    }

    // The earlier run's log was older than the retention when the run ended: deleted.
    assertThat(
        "the earlier log was past the retention when the run ended",
        Duration.between(seeded, ended).compareTo(retention),
        greaterThan(0));
    assertThat(logs().getBlobClient(old).exists(), is(false));
  }

  @Test
  void aZeroRetentionKeepsNoLogs() {
    String earlier = earlierLog("redwood-kept-run/s0-t0-a0/stderr.txt");
    Pipeline p = pipeline("--taskLogRetention=0");
    p.apply(Create.of("zero")).apply(ParDo.of(new FailLoudlyFn()));
    Pipeline.PipelineExecutionException e =
        assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run().waitUntilFinish());
    assertThat(e.getMessage(), containsString("failing on purpose"));
    assertThat(e.getMessage(), not(containsString("az storage blob download")));
    // The tail read from the node still shows what went wrong.
    assertThat(e.getMessage(), containsString("stderr of the failing task: zero"));
    List<JsonNode> tasks = addedTasks();
    assertThat(tasks.size(), greaterThan(0));
    assertThat(tasks, everyItem(not(hasOutputFiles())));
    String job = batchJobIds().get(0);
    List<String> names = new ArrayList<>();
    for (BlobItem b : logs().listBlobs()) {
      names.add(b.getName());
    }
    assertThat(names, everyItem(not(startsWith(job + "/"))));
    // Other runs' logs are theirs to delete.
    assertThat(logs().getBlobClient(earlier).exists(), is(true));
  }

  private static org.hamcrest.Matcher<JsonNode> hasOutputFiles() {
    return new org.hamcrest.TypeSafeMatcher<>() {
      @Override
      protected boolean matchesSafely(JsonNode task) {
        return task.has("outputFiles") && !task.get("outputFiles").isNull();
      }

      @Override
      public void describeTo(org.hamcrest.Description d) {
        d.appendText("a task with outputFiles");
      }
    };
  }
}
