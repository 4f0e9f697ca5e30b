package dev.redwood.runner.e2e;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.models.BlobContainerItem;
import com.azure.storage.blob.models.BlobItem;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redwood.runner.PipelineAssertions;
import dev.redwood.runner.azure.Azurite;
import dev.redwood.runner.azure.EmulatedAzure;
import dev.redwood.runner.batch.azure.restdouble.BatchRestDouble;
import dev.redwood.runner.batch.azure.restdouble.RecordedRequest;
import dev.redwood.runner.driver.AzureBatchPipelineResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end pipelines on the Azure backend, through the real SDKs: AzureBatchService on two
 * Batch REST doubles (two accounts, one pool each, different sizes) and AzureBlobStore on Azurite.
 * Tasks run as processes the doubles start, after their job preparation task fetched the classpath
 * from Azurite through SAS URLs.
 */
class AzureEndToEndTest extends EndToEndPipelines {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static BatchRestDouble east;
  private static BatchRestDouble west;
  private static final String EAST_KEY = BatchRestDouble.newKey();
  private static final String WEST_KEY = BatchRestDouble.newKey();

  /** Staged jars are kept across runs (content-hash names): one base container for the class. */
  private static final String CONTAINER = "rwe2e-" + UUID.randomUUID().toString().substring(0, 8);

  private Path parameters;
  private Path credentials;

  @BeforeAll
  static void startDoubles() throws IOException {
    east = new BatchRestDouble("east", EAST_KEY).start();
    west = new BatchRestDouble("west", WEST_KEY).start();
  }

  @AfterAll
  static void stopDoubles() {
    if (east != null) {
      east.close();
    }
    if (west != null) {
      west.close();
    }
  }

  @BeforeEach
  void writeConfiguration() throws IOException {
    parameters = temp.resolve("parameters.json");
    credentials = temp.resolve("credentials.json");
    Files.writeString(
        parameters,
        JSON.writeValueAsString(
            Map.of(
                "jobId",
                "rwtest",
                "blobContainer",
                CONTAINER,
                "pools",
                List.of(
                    Map.of(
                        "id",
                        "east-pool",
                        "account",
                        "east",
                        "vmSize",
                        "Standard_D4s_v5",
                        "dedicatedNodes",
                        1,
                        "taskSlotsPerNode",
                        2),
                    Map.of(
                        "id",
                        "west-pool",
                        "account",
                        "west",
                        "vmSize",
                        "Standard_D2s_v5",
                        "dedicatedNodes",
                        1,
                        "taskSlotsPerNode",
                        1)))));
    Files.writeString(
        credentials,
        JSON.writeValueAsString(
            Map.of(
                "accounts",
                List.of(
                    Map.of("name", "east", "url", east.url(), "batchAccountKey", EAST_KEY),
                    Map.of("name", "west", "url", west.url(), "batchAccountKey", WEST_KEY)),
                "storage",
                Map.of("connectionString", Azurite.connectionString()))));
    Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
    east.clearRequests();
    west.clearRequests();
  }

  @AfterEach
  void nothingLeftOnTheNodes() {
    assertThat("task processes left behind", east.liveProcesses(), is(empty()));
    assertThat("task processes left behind", west.liveProcesses(), is(empty()));
  }

  @Override
  Pipeline pipeline(String... extra) {
    return pipeline(
        List.of(
            "--runner=AzureBatchRunner",
            "--backend=AZURE",
            "--parametersFile=" + parameters,
            "--credentialsFile=" + credentials,
            "--localWorkDir=" + temp.resolve("redwood"),
            "--taskPollIntervalMs=200",
            // Short tasks on a 2-core machine: quick JIT and one GC thread leave the cores to work.
            "--workerJvmFlags=-XX:TieredStopAtLevel=1,-XX:+UseSerialGC",
            "--quiet"),
        extra);
  }

  @Test
  void outputIsByteIdenticalToTheLocalBackends() throws IOException {
    Path input = temp.resolve("input.txt");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      text.append("line ").append(i % 37).append(" of the tale ").append(i % 11).append('\n');
    }
    Files.writeString(input, text, StandardCharsets.UTF_8);
    Path onAzure =
        wordCountToOneFile(pipeline("--shufflePartitions=3"), input, temp.resolve("azure"));
    Path onLocal =
        wordCountToOneFile(
            pipeline(
                List.of(
                    "--runner=AzureBatchRunner",
                    "--inProcessNodes=false",
                    "--localNodes=2",
                    "--nodeHeapMb=512",
                    "--shufflePartitions=3",
                    "--localWorkDir=" + temp.resolve("local"),
                    "--quiet")),
            input,
            temp.resolve("local-out"));
    byte[] azure = Files.readAllBytes(onAzure);
    assertThat(azure.length, greaterThan(100));
    assertThat(azure, is(Files.readAllBytes(onLocal)));
  }

  @Test
  void tasksSpreadOverBothAccountsAndArePolledInLists() throws IOException {
    Pipeline p = pipeline("--shufflePartitions=12");
    PCollection<KV<String, Integer>> sums =
        p.apply(Create.of(numbers(600)))
            .apply(
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.integers()))
                    .via((Integer x) -> KV.of("k" + (x % 150), 1)))
            .apply(Sum.integersPerKey());
    PAssert.that(sums.apply(MapElements.into(TypeDescriptors.integers()).via(KV::getValue)))
        .satisfies(
            values -> {
              int total = 0;
              for (int v : values) {
                total += v;
              }
              if (total != 600) {
                throw new AssertionError("sum of counts " + total);
              }
              return null;
            });
    PipelineResult result = PipelineAssertions.run(p);

    // The run report: on the driver's disk and as a blob in the base container, with both pools,
    // their VM sizes and a cost estimate at the bundled prices.
    List<String> reports = ((AzureBatchPipelineResult) result).reportLocations();
    assertThat(reports.size(), is(2));
    String local = Files.readString(Path.of(reports.get(0)), StandardCharsets.UTF_8);
    String blobUrl = reports.get(1);
    assertThat(blobUrl, containsString("/" + CONTAINER + "/reports/"));
    assertThat(blobUrl, not(containsString("?")));
    String blob =
        EmulatedAzure.storage()
            .getBlobContainerClient(CONTAINER)
            .getBlobClient(blobUrl.substring(blobUrl.indexOf("/reports/") + 1))
            .downloadContent()
            .toString();
    assertThat(blob, is(local));
    assertThat(local, containsString("class=\"state-DONE\""));
    assertThat(
        local, containsString("<td class=\"l\">east-pool</td><td class=\"l\">Standard_D4s_v5"));
    assertThat(
        local, containsString("<td class=\"l\">west-pool</td><td class=\"l\">Standard_D2s_v5"));
    assertThat(local, containsString("total (estimate)"));
    assertThat(local, not(containsString("sig=")));

    for (BatchRestDouble account : List.of(east, west)) {
      List<RecordedRequest> requests = account.requests();
      assertThat(
          account.accountName() + " ran tasks",
          count(requests, "POST", "/jobs/[^/]+/addtaskcollection"),
          greaterThan(0));
      assertThat("no per-task GET", count(requests, "GET", "/jobs/[^/]+/tasks/[^/]+"), is(0));
      // Every job this run created was terminated and deleted.
      assertThat(count(requests, "POST", "/jobs/[^/]+/terminate"), greaterThan(0));
      assertThat(count(requests, "DELETE", "/jobs/[^/]+"), greaterThan(0));
    }
  }

  @Test
  void throttlingAndServerErrorsAreRiddenOut() {
    east.throttle("POST", "/jobs/[^/]+/addtaskcollection", 2, 1);
    west.failRequests("GET", "/jobs/[^/]+/tasks", 2, 503);
    west.dropConnections("GET", "/jobs/[^/]+/tasks", 1);
    Pipeline p = pipeline();
    PCollection<Integer> doubled =
        p.apply(Create.of(numbers(40)))
            .apply(Reshuffle.viaRandomKey())
            .apply(MapElements.into(TypeDescriptors.integers()).via((Integer x) -> 2 * x));
    PAssert.that(doubled.apply(Sum.integersGlobally())).containsInAnyOrder(2 * 40 * 41 / 2);
    PipelineAssertions.run(p);
    assertThat(count(east.requests(), "POST", "/jobs/[^/]+/addtaskcollection"), greaterThan(2));
  }

  @Test
  void taskCommandLinesAndRequestsCarryNoSecrets() {
    Pipeline p = pipeline();
    PAssert.that(p.apply(Create.of(1, 2, 3)).apply(Sum.integersGlobally())).containsInAnyOrder(6);
    PipelineAssertions.run(p);
    Set<String> bodies = new HashSet<>();
    List<String> commandLines = new ArrayList<>();
    for (BatchRestDouble account : List.of(east, west)) {
      for (RecordedRequest r : account.requests()) {
        bodies.add(new String(r.body(), StandardCharsets.UTF_8));
        if (r.path().endsWith("/addtaskcollection")) {
          r.bodyJson().get("value").forEach(t -> commandLines.add(t.get("commandLine").asText()));
        }
      }
    }
    assertThat(commandLines.size(), greaterThan(0));
    assertThat(commandLines, everyItem(not(containsString("sig="))));
    assertThat(bodies, everyItem(not(containsString(Azurite.KEY))));
    assertThat(bodies, everyItem(not(containsString(EAST_KEY))));
    assertThat(bodies, everyItem(not(containsString(WEST_KEY))));
    assertThat(bodies, hasItem(containsString("REDWOOD_STORE_READ_SAS")));
  }

  /** Where {@link AzfsWriteFn}s read and write; an option, so the runner grants its container. */
  public interface AzfsTestOptions extends PipelineOptions {
    @Description("An azfs:// directory the test pipeline reads from and writes to")
    String getTestAzfsDirectory();

    void setTestAzfsDirectory(String directory);
  }

  /** Reads the driver's greeting from azfs:// and writes one file per element next to it. */
  static final class AzfsWriteFn extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer i, PipelineOptions options, OutputReceiver<Integer> out)
        throws IOException {
      String dir = options.as(AzfsTestOptions.class).getTestAzfsDirectory();
      String greeting = readString(dir + "/greeting.txt");
      ResourceId part = FileSystems.matchNewResource(dir + "/part-" + i + ".txt", false);
      try (WritableByteChannel channel = FileSystems.create(part, MimeTypes.TEXT)) {
        channel.write(ByteBuffer.wrap((greeting + " " + i).getBytes(StandardCharsets.UTF_8)));
      }
      out.output(i);
    }
  }

  static String readString(String path) throws IOException {
    ResourceId id = FileSystems.matchSingleFileSpec(path).resourceId();
    try (InputStream in = Channels.newInputStream(FileSystems.open(id))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void tasksReachTheOptionsAzfsContainerWithAGrantAndNoKey() throws IOException {
    PipelineOptionsFactory.register(AzfsTestOptions.class);
    String container = "rwazfs-" + UUID.randomUUID().toString().substring(0, 8);
    BlobServiceClient azurite = EmulatedAzure.storage();
    azurite.createBlobContainer(container);
    String dir = "azfs://" + Azurite.ACCOUNT + "/" + container + "/run";
    List<String> args = new ArrayList<>(EmulatedAzure.driverAzfsArgs());
    args.add("--testAzfsDirectory=" + dir);
    args.add("--keepJobData");
    Pipeline p = pipeline(args.toArray(new String[0]));
    // The driver writes with its own credentials, the tasks with their grant.
    FileSystems.setDefaultPipelineOptions(p.getOptions());
    ResourceId greeting = FileSystems.matchNewResource(dir + "/greeting.txt", false);
    try (WritableByteChannel channel = FileSystems.create(greeting, MimeTypes.TEXT)) {
      channel.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
    }
    PCollection<Integer> written =
        p.apply(Create.of(1, 2, 3, 4, 5))
            .apply(Reshuffle.viaRandomKey())
            .apply(ParDo.of(new AzfsWriteFn()));
    // A file sink too: temporary files renamed (copied, then deleted) on the nodes.
    written
        .apply(MapElements.into(TypeDescriptors.strings()).via((Integer i) -> "line " + i))
        .apply(TextIO.write().to(dir + "/lines").withSuffix(".txt").withNumShards(2));
    PipelineAssertions.run(p);

    for (int i = 1; i <= 5; i++) {
      assertThat(readString(dir + "/part-" + i + ".txt"), is("hello " + i));
    }
    List<String> lines = new ArrayList<>();
    for (MatchResult.Metadata m : FileSystems.match(dir + "/lines-*.txt").metadata()) {
      lines.addAll(List.of(readString(m.resourceId().toString()).split("\n")));
    }
    lines.sort(null);
    assertThat(lines, is(List.of("line 1", "line 2", "line 3", "line 4", "line 5")));
    // Neither the job (its environment) nor the stage specs (the options) carry the key.
    for (BatchRestDouble account : List.of(east, west)) {
      for (RecordedRequest r : account.requests()) {
        assertThat(new String(r.body(), StandardCharsets.UTF_8), not(containsString(Azurite.KEY)));
      }
    }
    int specs = 0;
    for (BlobContainerItem c : azurite.listBlobContainers()) {
      if (!c.getName().startsWith(CONTAINER + "-")) {
        continue;
      }
      BlobContainerClient job = azurite.getBlobContainerClient(c.getName());
      for (BlobItem b : job.listBlobs()) {
        byte[] bytes = job.getBlobClient(b.getName()).downloadContent().toBytes();
        assertThat(
            b.getName(),
            new String(bytes, StandardCharsets.ISO_8859_1),
            not(containsString(Azurite.KEY)));
        specs += b.getName().contains("spec") ? 1 : 0;
      }
      job.delete();
    }
    assertThat("stage specs kept with --keepJobData", specs, greaterThan(0));
    azurite.deleteBlobContainer(container);
  }

  @Test
  void anAzfsPathOfAnotherAccountOrAMissingContainerFailsBeforeAnyJob() {
    PipelineOptionsFactory.register(AzfsTestOptions.class);
    Pipeline other = pipeline("--testAzfsDirectory=azfs://someoneelse/data/x");
    other.apply(Create.of(1)).apply(ParDo.of(new AzfsWriteFn()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, other::run);
    assertThat(e.getMessage(), containsString("--testAzfsDirectory"));
    assertThat(e.getMessage(), containsString("someoneelse"));

    Pipeline missing =
        pipeline("--testAzfsDirectory=azfs://" + Azurite.ACCOUNT + "/rw-no-such-container/x");
    missing.apply(Create.of(1)).apply(ParDo.of(new AzfsWriteFn()));
    e = assertThrows(IllegalArgumentException.class, missing::run);
    assertThat(e.getMessage(), containsString("rw-no-such-container"));
    assertThat(e.getMessage(), containsString("--testAzfsDirectory"));
    for (BatchRestDouble account : List.of(east, west)) {
      assertThat(count(account.requests(), "POST", "/jobs"), is(0));
    }
  }

  /** Sleeps per element, so tasks are running long enough to be preempted or cancelled. */
  static final class SlowFn extends org.apache.beam.sdk.transforms.DoFn<Integer, Integer> {
    private final long millis;

    SlowFn(long millis) {
      this.millis = millis;
    }

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out)
        throws InterruptedException {
      Thread.sleep(millis);
      out.output(x);
    }
  }

  @Test
  void aPreemptedNodesTasksAreRequeuedAndTheResultIsExact() throws Exception {
    Pipeline p = pipeline("--deletePools");
    PCollection<Integer> slow =
        p.apply(Create.of(numbers(12)))
            .apply(Reshuffle.viaRandomKey())
            .apply(org.apache.beam.sdk.transforms.ParDo.of(new SlowFn(1500)));
    PAssert.that(slow.apply(Sum.integersGlobally())).containsInAnyOrder(12 * 13 / 2);
    PipelineResult result = p.run();
    // Preempt the east node as soon as it runs tasks of the slow stage.
    boolean preempted = false;
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!preempted
        && System.nanoTime() < deadline
        && result.getState() == PipelineResult.State.RUNNING) {
      if (!east.liveProcesses().isEmpty()) {
        Thread.sleep(1500);
        List<String> nodes = east.nodeIds("east-pool");
        preempted = !nodes.isEmpty() && east.preemptNode("east-pool", nodes.get(0));
      }
      Thread.sleep(100);
    }
    PipelineAssertions.assertAllRan(p, result);
    assertThat("a node was preempted", preempted, is(true));
    // Batch requeued the preempted node's attempts onto another node; the report marks them.
    String report =
        Files.readString(
            Path.of(((AzureBatchPipelineResult) result).reportLocations().get(0)),
            StandardCharsets.UTF_8);
    assertThat(
        report, matchesPattern("(?s).*<rect class=\"attempt o-ACCEPTED c-\\w+ requeued\".*"));
    assertThat(report, containsString("requeued by Batch from "));
    // --deletePools: the pools go at the end.
    assertThat(count(east.requests(), "DELETE", "/pools/east-pool"), is(1));
    assertThat(count(west.requests(), "DELETE", "/pools/west-pool"), is(1));
  }

  @Test
  void cancelTerminatesTheJobsAndLeavesNoTaskRunning() throws Exception {
    Pipeline p = pipeline();
    p.apply(Create.of(numbers(6)))
        .apply(Reshuffle.viaRandomKey())
        .apply(org.apache.beam.sdk.transforms.ParDo.of(new SlowFn(120_000)));
    PipelineResult result = p.run();
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (east.liveProcesses().isEmpty()
        && west.liveProcesses().isEmpty()
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    Thread.sleep(1000);
    result.cancel();
    assertThat(
        result.waitUntilFinish(org.joda.time.Duration.standardSeconds(60)),
        is(PipelineResult.State.CANCELLED));
    assertThat(count(east.requests(), "POST", "/jobs/[^/]+/terminate"), greaterThan(0));
    assertThat(count(west.requests(), "POST", "/jobs/[^/]+/terminate"), greaterThan(0));
  }

  private static List<Integer> numbers(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(i);
    }
    return out;
  }

  static int count(List<RecordedRequest> requests, String method, String pathRegex) {
    int n = 0;
    for (RecordedRequest r : requests) {
      if (r.method().equals(method) && r.path().matches(pathRegex)) {
        n++;
      }
    }
    return n;
  }
}
