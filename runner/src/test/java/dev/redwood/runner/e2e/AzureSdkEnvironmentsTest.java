package dev.redwood.runner.e2e;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.redwood.runner.PipelineAssertions;
import dev.redwood.runner.portable.JavaSdkBoot;
import dev.redwood.runner.portable.RedwoodJobServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Portable Java pipelines on an emulated Batch account in the SDK environments a node starts
 * itself: PROCESS, whose boot command the pool's start task installs, and DOCKER, whose SDK image
 * the node's Docker runs (on an image with a container runtime; the double's Docker runs an image's
 * entrypoint as a host process with none of the host's variables). The harnesses report from inside
 * which process they ran, so a stage run anywhere else fails the test.
 */
@Timeout(value = 360, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AzureSdkEnvironmentsTest {
  /** The Java SDK's container image, as a user names it. */
  private static final String SDK_IMAGE = "apache/beam_java17_sdk:2.70.0";

  /** What the start task's boot adds to the boot JVM's command line, to be recognised by. */
  private static final String INSTALLED_MARK = "-Dredwood.test.bootInstalledBy=startTask";

  @TempDir static Path temp;
  private static OneAccountAzure azure;
  private static RedwoodJobServer server;
  private static String endpoint;

  @BeforeAll
  static void startServer() throws Exception {
    azure = new OneAccountAzure("sdkenvs");
    // The image's entrypoint boots the Java SDK as Beam's image does: provision, artifacts,
    // harness.
    azure.batch.addContainerImage(
        SDK_IMAGE,
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            JavaSdkBoot.class.getName()));
    String boot = "$AZ_BATCH_NODE_SHARED_DIR/beam/java-boot";
    String startTask =
        "mkdir -p \"$AZ_BATCH_NODE_SHARED_DIR/beam\" && printf '%s\\n' '#!/bin/sh'"
            + " 'exec \"$REDWOOD_JAVA\" "
            + INSTALLED_MARK
            + " -Xmx256m -cp \"$REDWOOD_WORKER_CLASSPATH\" "
            + JavaSdkBoot.class.getName()
            + " \"$@\"' > \""
            + boot
            + "\" && chmod 755 \""
            + boot
            + "\"";
    Path parameters =
        azure.parameters(
            temp,
            List.of(
                azure.pool(
                    "envs-pool",
                    "Standard_D2s_v5",
                    1,
                    2,
                    "image",
                    Map.of("publisher", "microsoft-dsvm", "offer", "ubuntu-hpc", "sku", "2204"),
                    "startTaskCommand",
                    startTask)),
            Map.of());
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

  private static Pipeline portable(String environmentType, String config, String... extra)
      throws IOException {
    Path marker = temp.resolve("client-artifact.txt");
    Files.writeString(marker, "an artifact the client stages\n");
    List<String> args =
        new ArrayList<>(
            List.of(
                "--runner=PortableRunner",
                "--jobEndpoint=" + endpoint,
                "--defaultEnvironmentType=" + environmentType,
                "--defaultEnvironmentConfig=" + config,
                "--filesToStage=" + marker));
    args.addAll(List.of(extra));
    return Pipeline.create(PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).create());
  }

  /** Squares 1..6 in harnesses that report where they ran into {@code reports}, and sums them. */
  private static void squaresReportingTo(Pipeline p, Path reports) {
    PCollection<Integer> sum =
        p.apply(Create.of(1, 2, 3, 4, 5, 6))
            .apply(ParDo.of(new SquareAndReportFn(reports.toString())))
            .apply(Sum.integersGlobally());
    PAssert.thatSingleton(sum).isEqualTo(91);
  }

  private static List<String[]> reports(Path dir) throws IOException {
    List<String[]> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        all.add(Files.readString(f, StandardCharsets.UTF_8).split("\\|", -1));
      }
    }
    return all;
  }

  @Test
  void aProcessEnvironmentInstalledByThePoolsStartTaskRunsTheStages() throws Exception {
    Path reports = Files.createDirectories(temp.resolve("process-reports"));
    Pipeline p = portable("PROCESS", "{\"command\":\"$AZ_BATCH_NODE_SHARED_DIR/beam/java-boot\"}");
    squaresReportingTo(p, reports);
    PipelineAssertions.run(p);

    List<String[]> seen = reports(reports);
    assertThat(seen, not(empty()));
    for (String[] report : seen) {
      assertThat(
          "ran in a harness JVM the boot started", report[1], containsString("--run-harness"));
      assertThat("booted by the start task's command", report[2], containsString(INSTALLED_MARK));
      assertThat("a PROCESS harness has the node's variables", report[3], is("node"));
    }
    assertThat(azure.activeJobs(), is(empty()));
    assertThat(azure.liveProcessesAfterAWhile(), is(empty()));
  }

  @Test
  void aDockerEnvironmentRunsTheSdkImageWithTheNodesDockerAndLeavesNoContainer() throws Exception {
    Path reports = Files.createDirectories(temp.resolve("docker-reports"));
    Pipeline p = portable("DOCKER", SDK_IMAGE);
    squaresReportingTo(p, reports);
    PipelineAssertions.run(p);

    List<String[]> seen = reports(reports);
    assertThat(seen, not(empty()));
    for (String[] report : seen) {
      assertThat(report[1], containsString("--run-harness"));
      assertThat(
          "the image's boot, not the start task's", report[2], not(containsString(INSTALLED_MARK)));
      assertThat("a container sees none of the node's variables", report[3], is("container"));
    }
    List<String> elevations = new ArrayList<>();
    for (JsonNode task : azure.tasksAdded()) {
      elevations.add(task.path("userIdentity").path("autoUser").path("elevationLevel").asText());
    }
    assertThat("tasks that use Docker run as the pool's admin", elevations, not(empty()));
    assertThat(elevations, everyItem(is("admin")));
    assertThat(azure.activeJobs(), is(empty()));
    assertThat("no task and no container left", azure.liveProcessesAfterAWhile(), is(empty()));
  }

  @Test
  void aDockerImageTheRegistriesDoNotHaveFailsTheJobNamingIt() throws Exception {
    Pipeline p = portable("DOCKER", "example.org/no-such-sdk:1", "--maxTaskRetries=0");
    squaresReportingTo(p, Files.createDirectories(temp.resolve("missing-reports")));
    RuntimeException failure =
        assertThrows(RuntimeException.class, () -> p.run().waitUntilFinish());
    assertThat(failure.getMessage(), containsString("example.org/no-such-sdk:1"));
    assertThat(failure.getMessage(), containsString("pull access denied"));
    assertThat(azure.activeJobs(), is(empty()));
    assertThat(azure.liveProcessesAfterAWhile(), is(empty()));
  }

  @Test
  void aDockerEnvironmentOnAPoolWithoutContainerRuntimeIsRefusedBeforeAnythingStarts()
      throws Exception {
    Path dir = Files.createDirectories(temp.resolve("plain"));
    Path plain =
        azure.parameters(dir, List.of(azure.pool("plain-pool", "Standard_D2s_v5", 1, 1)), Map.of());
    azure.batch.clearRequests();
    Pipeline p = portable("DOCKER", SDK_IMAGE, "--parametersFile=" + plain);
    squaresReportingTo(p, Files.createDirectories(temp.resolve("plain-reports")));
    RuntimeException failure =
        assertThrows(RuntimeException.class, () -> p.run().waitUntilFinish());
    String message = failure.getMessage();
    assertThat(message, containsString("DOCKER environments: [" + SDK_IMAGE + " (stage '"));
    assertThat(message, containsString("pool \"plain-pool\" of " + plain));
    assertThat(message, containsString("has no container runtime"));
    assertThat("no pool, job or task was created", azure.jobsCreated(), is(empty()));
    assertThat(
        azure.batch.requests().stream().filter(r -> !r.method().equals("GET")).toList(),
        is(empty()));
  }

  /**
   * Squares its input and writes "pid|own command line|parent's command line|node or container"
   * once per bundle into a directory: the harness process shows where the stage ran.
   */
  private static final class SquareAndReportFn extends DoFn<Integer, Integer> {
    private final String reports;

    SquareAndReportFn(String reports) {
      this.reports = reports;
    }

    @FinishBundle
    public void report() throws IOException {
      ProcessHandle self = ProcessHandle.current();
      long parent = self.parent().map(ProcessHandle::pid).orElse(0L);
      String where = System.getenv("AZ_BATCH_NODE_ID") != null ? "node" : "container";
      String line =
          String.join(
              "|", Long.toString(self.pid()), commandLine("self"), commandLine("" + parent), where);
      Files.writeString(Path.of(reports, UUID.randomUUID() + ".txt"), line);
    }

    /** A process's whole command line (ProcessHandle.Info cuts long ones short). */
    private static String commandLine(String pid) throws IOException {
      byte[] raw = Files.readAllBytes(Path.of("/proc", pid, "cmdline"));
      return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').replace('|', '/');
    }

    @ProcessElement
    public void process(@Element Integer i, OutputReceiver<Integer> out) {
      out.output(i * i);
    }
  }
}
