package dev.redwood.runner.e2e;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchSharedKeyCredentials;
import com.microsoft.azure.batch.protocol.models.PoolState;
import dev.redwood.runner.PipelineAssertions;
import dev.redwood.runner.azure.Azurite;
import dev.redwood.runner.batch.azure.restdouble.BatchRestDouble;
import dev.redwood.runner.batch.azure.restdouble.RecordedRequest;
import dev.redwood.runner.config.AzureConfigException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Sum;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pools whose tasks run in a container image, end to end: AzureBatchService on the Batch REST
 * double (whose nodes pull images from a private registry only with its login) and AzureBlobStore
 * on Azurite. The registry password goes to Batch in the pool's containerConfiguration and nowhere
 * else: not in another request, a log line, a task's environment or a file on a node.
 */
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AzureContainerPoolTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = BatchRestDouble.newKey();
  private static final String REGISTRY = "rwprivate.azurecr.io";
  private static final String IMAGE = REGISTRY + "/redwood-worker:1.0";
  private static final String PASSWORD = "Registry-Passw0rd-" + UUID.randomUUID();
  private static final String CONTAINER = "rwbox-" + UUID.randomUUID().toString().substring(0, 8);
  private static BatchRestDouble boxes;

  @TempDir Path temp;

  @BeforeAll
  static void startDouble() throws IOException {
    boxes = new BatchRestDouble("boxes", KEY).start();
    boxes.addPrivateRegistry(REGISTRY, "puller", PASSWORD);
  }

  @AfterAll
  static void stopDouble() {
    if (boxes != null) {
      boxes.close();
    }
  }

  @BeforeEach
  void clear() {
    boxes.clearRequests();
  }

  @AfterEach
  void nothingLeftRunning() {
    assertThat("task processes left behind", boxes.liveProcesses(), is(empty()));
  }

  /** A pipeline on one container pool; {@code login} adds the registry's login. */
  private Pipeline pipeline(Map<String, Object> pool, boolean login) throws IOException {
    Path parameters = temp.resolve("parameters.json");
    Path credentials = temp.resolve("credentials.json");
    Files.writeString(
        parameters,
        JSON.writeValueAsString(
            Map.of("jobId", "rwbox", "blobContainer", CONTAINER, "pools", List.of(pool))));
    Map<String, Object> creds = new HashMap<>();
    creds.put(
        "accounts", List.of(Map.of("name", "boxes", "url", boxes.url(), "batchAccountKey", KEY)));
    creds.put("storage", Map.of("connectionString", Azurite.connectionString()));
    if (login) {
      creds.put(
          "containerRegistries",
          List.of(Map.of("registryServer", REGISTRY, "userName", "puller", "password", PASSWORD)));
    }
    Files.writeString(credentials, JSON.writeValueAsString(creds));
    Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
    return Pipeline.create(
        PipelineOptionsFactory.fromArgs(
                "--runner=AzureBatchRunner",
                "--backend=AZURE",
                "--parametersFile=" + parameters,
                "--credentialsFile=" + credentials,
                "--localWorkDir=" + temp.resolve("redwood"),
                "--taskPollIntervalMs=200",
                "--workerJvmFlags=-XX:TieredStopAtLevel=1,-XX:+UseSerialGC",
                "--quiet")
            .create());
  }

  private static Map<String, Object> containerPool(String id, Object... more) {
    Map<String, Object> pool = new HashMap<>();
    pool.put("id", id);
    pool.put("vmSize", "Standard_D2s_v5");
    pool.put("dedicatedNodes", 1);
    pool.put("taskSlotsPerNode", 2);
    pool.put("containerImage", IMAGE);
    for (int i = 0; i < more.length; i += 2) {
      pool.put((String) more[i], more[i + 1]);
    }
    return pool;
  }

  /** Writes the task's environment to a file on its node: where a leaked secret would show. */
  static final class EnvironmentOnNodeFn extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) throws IOException {
      Path shared = Path.of(System.getenv("AZ_BATCH_NODE_SHARED_DIR"));
      Files.writeString(
          shared.resolve("env-" + UUID.randomUUID() + ".txt"), System.getenv().toString());
      out.output(x);
    }
  }

  @Test
  void aContainerPoolOnTheDefaultImageRunsWithThePrivateRegistryLoginAndShowsItNowhereElse()
      throws IOException {
    Pipeline p = pipeline(containerPool("box-login"), true);
    PAssert.that(
            p.apply(Create.of(1, 2, 3, 4, 5, 6))
                .apply(Reshuffle.viaRandomKey())
                .apply(ParDo.of(new EnvironmentOnNodeFn()))
                .apply(Sum.integersGlobally()))
        .containsInAnyOrder(21);
    String log = capturingStandardError(() -> PipelineAssertions.run(p));

    JsonNode poolAdd = null;
    List<String> otherBodies = new ArrayList<>();
    int containerTasks = 0;
    for (RecordedRequest r : boxes.requests()) {
      String body = new String(r.body(), StandardCharsets.UTF_8);
      if (r.method().equals("POST") && r.path().equals("/pools")) {
        poolAdd = r.bodyJson();
        continue;
      }
      otherBodies.add(body);
      if (r.path().endsWith("/addtaskcollection")) {
        for (JsonNode t : r.bodyJson().get("value")) {
          assertThat(t.path("containerSettings").path("imageName").asText(), is(IMAGE));
          assertThat(t.path("containerSettings").get("registry"), is(nullValue()));
          containerTasks++;
        }
      }
    }
    assertThat(containerTasks, greaterThan(0));
    JsonNode vm = poolAdd.get("virtualMachineConfiguration");
    assertThat(vm.path("imageReference").path("publisher").asText(), is("microsoft-dsvm"));
    assertThat(vm.path("imageReference").path("offer").asText(), is("ubuntu-hpc"));
    assertThat(vm.path("imageReference").path("sku").asText(), is("2204"));
    assertThat(vm.path("nodeAgentSKUId").asText(), is("batch.node.ubuntu 22.04"));
    JsonNode login = vm.path("containerConfiguration").path("containerRegistries").get(0);
    assertThat(login.path("registryServer").asText(), is(REGISTRY));
    assertThat(login.path("username").asText(), is("puller"));
    assertThat(login.path("password").asText(), is(PASSWORD));

    for (String body : otherBodies) {
      assertThat(body, not(containsString(PASSWORD)));
    }
    assertThat(log, containsString("box-login"));
    assertThat(log, not(containsString(PASSWORD)));
    int environments = 0;
    try (Stream<Path> files = Files.walk(boxes.nodeRoot())) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertThat(f.toString(), text, not(containsString(PASSWORD)));
        environments += f.getFileName().toString().startsWith("env-") ? 1 : 0;
      }
    }
    assertThat("tasks wrote their environment on the node", environments, is(6));
  }

  @Test
  void aPrivateImageWithoutRegistryLoginEndsTheRunAtOnceNamingPoolRegistryAndRemedy()
      throws IOException {
    Pipeline p =
        pipeline(
            containerPool(
                "box-nologin",
                "image",
                Map.of("publisher", "microsoft-dsvm", "offer", "ubuntu-hpc", "sku", "2204")),
            false);
    p.apply(Create.of(1, 2, 3)).apply(Sum.integersGlobally());
    long started = System.nanoTime();
    Pipeline.PipelineExecutionException e =
        assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run().waitUntilFinish());
    double seconds = (System.nanoTime() - started) / 1e9;
    assertThat("seconds to fail", seconds, lessThan(60.0));
    String message = e.getMessage();
    assertThat(message, containsString("boxes/box-nologin"));
    assertThat(message, containsString("cannot pull its container image \"" + IMAGE + "\""));
    assertThat(message, containsString("from registry " + REGISTRY));
    assertThat(message, containsString("ContainerInvalidImage"));
    assertThat(message, containsString("unauthorized: authentication required"));
    assertThat(message, containsString("add {\"registryServer\": \"" + REGISTRY + "\""));
    assertThat(message, containsString("\"containerRegistries\" in the credentials file"));

    // The job was ended and removed, the pool this run created for nothing deleted.
    List<RecordedRequest> requests = boxes.requests();
    assertThat(AzureEndToEndTest.count(requests, "POST", "/jobs/[^/]+/terminate"), greaterThan(0));
    assertThat(AzureEndToEndTest.count(requests, "DELETE", "/jobs/[^/]+"), is(1));
    BatchClient client = BatchClient.open(new BatchSharedKeyCredentials(boxes.url(), "boxes", KEY));
    assertThat(client.jobOperations().listJobs(), is(empty()));
    assertThat(AzureEndToEndTest.count(requests, "DELETE", "/pools/box-nologin"), is(1));
    // Pool deletion is asynchronous: gone, or on its way.
    assertThat(
        !client.poolOperations().existsPool("box-nologin")
            || client.poolOperations().getPool("box-nologin").state() == PoolState.DELETING,
        is(true));
    // A deleting pool's nodes go with it; none of them runs anything meanwhile.
    assertThat(boxes.liveProcesses(), is(empty()));
  }

  @Test
  void aContainerImageOnAnImageWithoutContainerRuntimeIsRefusedBeforeAnyBatchRequest()
      throws IOException {
    Pipeline p =
        pipeline(
            containerPool(
                "box-canonical",
                "image",
                Map.of(
                    "publisher",
                    "canonical",
                    "offer",
                    "0001-com-ubuntu-server-jammy",
                    "sku",
                    "22_04-lts")),
            false);
    p.apply(Create.of(1)).apply(Sum.integersGlobally());
    AzureConfigException e = assertThrows(AzureConfigException.class, p::run);
    assertThat(e.file(), containsString("parameters.json"));
    assertThat(e.key(), is("pools[0].image"));
    assertThat(e.getMessage(), containsString("pool \"box-canonical\""));
    assertThat(e.getMessage(), containsString("without a container runtime"));
    assertThat(e.getMessage(), not(containsString(PASSWORD)));
    assertThat(boxes.requests(), is(empty()));
  }

  /** Runs {@code run} with System.err (where slf4j-simple logs) captured; returns what it got. */
  private static String capturingStandardError(Runnable run) {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      run.run();
    } finally {
      System.setErr(saved);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    saved.print(text);
    return text;
  }
}
