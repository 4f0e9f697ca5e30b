package dev.redwood.runner.e2e;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import com.azure.storage.blob.models.BlobContainerItem;
import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.JobState;
import com.microsoft.azure.batch.protocol.models.MetadataItem;
import dev.redwood.runner.CapturedStderr;
import dev.redwood.runner.azure.EmulatedAzure;
import dev.redwood.runner.batch.azure.restdouble.RecordedRequest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A driver stopped from outside, in a JVM of its own ({@link SleepingRunMain}): Ctrl-C (SIGTERM) on
 * the local backend and on emulated Azure stops its tasks, ends its Batch jobs and deletes its
 * objects (keeps them for a named run) within seconds, and the driver exits non-zero saying so; a
 * driver killed with SIGKILL leaves its Batch jobs active, and the next run on the account ends
 * them and says whose they were.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StoppedDriverTest {
  /** The progress line of the sleeping stage once some of its 20 tasks run. */
  private static final Pattern SLEEPING =
      Pattern.compile("\\[redwood\\] stage 2/2 .*: \\d+/20 tasks succeeded, [1-9]\\d* running");

  private static final Pattern JOB_LINE = Pattern.compile("\\[redwood\\] job (\\S+): ");

  /** SIGTERM's exit code: 128 + 15. */
  private static final int SIGTERM_EXIT = 143;

  private static OneAccountAzure azure;

  @TempDir Path temp;

  @AfterAll
  static void stopAzure() {
    if (azure != null) {
      azure.close();
    }
  }

  @Test
  void ctrlCOnTheLocalBackendStopsItsNodesAndDeletesItsObjects() throws Exception {
    LocalStop stop = stopLocalRun(List.of());
    assertThat(stop.log, containsString("; node JVMs stopped; its objects were deleted"));
    assertThat("the job's objects", Files.exists(stop.jobDir), is(false));
  }

  @Test
  void ctrlCOnANamedLocalRunKeepsItsObjectsForResuming() throws Exception {
    LocalStop stop = stopLocalRun(List.of("--jobName=keep-me"));
    assertThat(stop.jobId, containsString("keep-me"));
    assertThat(
        stop.log,
        containsString(
            "; node JVMs stopped; its objects were kept for --resumeFrom=" + stop.jobId));
    assertThat("the job's objects", Files.isDirectory(stop.jobDir), is(true));
  }

  @Test
  void ctrlCOnAzureEndsTheRunsBatchJobAndDeletesItsContainer() throws Exception {
    OneAccountAzure azure = azure();
    Path parameters = parameters(azure);
    // Heartbeats every second, so that this run also shows a live driver renewing them.
    DriverJvm driver =
        DriverJvm.start(
            azureArgs(azure, parameters),
            temp.resolve("driver.log"),
            "-Dredwood.azure.heartbeatInterval=PT1S");
    try {
      driver.await(SLEEPING, 100);
      String runId = driver.jobId();
      String batchJob = onlyActiveJobOf(azure, runId);
      assertThat("the job's container", jobContainers(azure, runId), is(not(empty())));
      awaitHeartbeat(azure, batchJob);

      long start = System.nanoTime();
      driver.process.destroy();
      assertThat("driver exited", driver.process.waitFor(30, TimeUnit.SECONDS), is(true));
      double seconds = (System.nanoTime() - start) / 1e9;
      driver.show();
      String log = driver.log();
      assertThat(log, driver.process.exitValue(), is(SIGTERM_EXIT));
      assertThat(log, seconds, lessThan(20.0));
      assertThat(
          log,
          matchesPattern(
              "(?s).*Interrupted: job "
                  + Pattern.quote(runId)
                  + " stopped \\([1-9]\\d* running tasks? stopped\\); Batch jobs deleted; its"
                  + " objects were deleted\n.*"));
      assertThat("Batch jobs of the run", jobIds(azure), not(hasItem(batchJob)));
      assertThat("task processes", azure.liveProcessesAfterAWhile(), is(List.of()));
      assertThat("the job's container", jobContainers(azure, runId), is(empty()));
    } finally {
      driver.process.destroyForcibly();
    }
  }

  @Test
  void theNextRunEndsTheBatchJobsOfADriverKilledWithSigkill() throws Exception {
    OneAccountAzure azure = azure();
    Path parameters = parameters(azure);
    DriverJvm driver = DriverJvm.start(azureArgs(azure, parameters), temp.resolve("driver.log"));
    String deadRun;
    String deadJob;
    try {
      driver.await(SLEEPING, 100);
      deadRun = driver.jobId();
      deadJob = onlyActiveJobOf(azure, deadRun);
    } finally {
      driver.process.destroyForcibly();
    }
    assertThat(driver.process.waitFor(30, TimeUnit.SECONDS), is(true));
    long killed = System.nanoTime();
    // No hook ran: the job and its tasks go on without a driver.
    assertThat(azure.activeJobs(), hasItem(deadJob));
    assertThat(azure.batch.liveProcesses(), is(not(empty())));

    // A driver silent for 2 s counts as gone here (5 min in real runs); let 3 s pass.
    long wait = 3_000 - (System.nanoTime() - killed) / 1_000_000;
    if (wait > 0) {
      Thread.sleep(wait);
    }
    System.setProperty("redwood.azure.driverGoneAfter", "PT2S");
    String log;
    try {
      Pipeline p = azure.pipeline(Files.createDirectories(temp.resolve("next")), parameters);
      p.apply(Create.of("a", "b"))
          .apply(MapElements.into(TypeDescriptors.strings()).via(s -> s + "!"));
      log =
          CapturedStderr.of(
              () -> assertThat(p.run().waitUntilFinish(), is(PipelineResult.State.DONE)), true);
    } finally {
      System.clearProperty("redwood.azure.driverGoneAfter");
    }
    assertThat(
        log,
        containsString(
            "Cleaned up Batch job "
                + deadJob
                + " on account "
                + azure.account
                + ": it belongs to Redwood run "
                + deadRun
                + ", whose driver was last seen at "));
    assertThat("Batch jobs of the dead run", jobIds(azure), not(hasItem(deadJob)));
    // The same run also deleted the dead (unnamed) run's objects.
    assertThat(log, containsString("Deleted the objects of run " + deadRun));
    assertThat("the dead run's container", jobContainers(azure, deadRun), is(empty()));
    assertThat("task processes", azure.liveProcessesAfterAWhile(), is(List.of()));
    assertThat("active jobs", azure.activeJobs(), is(List.of()));
  }

  @Test
  void resumingARunWhoseDriverWasKilledEndsItsFirstSessionsBatchJobAtOnce() throws Exception {
    OneAccountAzure azure = azure();
    Path parameters = parameters(azure);
    List<String> args = azureArgs(azure, parameters);
    args.add("--jobName=resume-me");
    DriverJvm driver = DriverJvm.start(args, temp.resolve("driver.log"));
    String runId;
    String firstJob;
    try {
      driver.await(SLEEPING, 100);
      runId = driver.jobId();
      firstJob = onlyActiveJobOf(azure, runId);
    } finally {
      driver.process.destroyForcibly();
    }
    assertThat(driver.process.waitFor(30, TimeUnit.SECONDS), is(true));
    assertThat(azure.activeJobs(), hasItem(firstJob));

    // Resumed at once, without shortening how long a heartbeat may be silent: the resume itself
    // makes sure the first session's driver is gone.
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    azure
                        .args(
                            Files.createDirectories(temp.resolve("resumed")),
                            parameters,
                            // Fewer, instant tasks this time: the stages run again, quickly.
                            "--shufflePartitions=4",
                            "--jobName=resume-me",
                            "--resume")
                        .toArray(new String[0]))
                .create());
    SleepingRunMain.build(p, 4, 0);
    String log =
        CapturedStderr.of(
            () -> assertThat(p.run().waitUntilFinish(), is(PipelineResult.State.DONE)), true);
    assertThat(
        log,
        containsString(
            "Cleaned up Batch job "
                + firstJob
                + " on account "
                + azure.account
                + ": it belongs to an earlier session of this run ("
                + runId
                + ")"));
    assertThat("Batch jobs of the first session", jobIds(azure), not(hasItem(firstJob)));
    assertThat("task processes", azure.liveProcessesAfterAWhile(), is(List.of()));
    assertThat("active jobs", azure.activeJobs(), is(List.of()));
  }

  /** What a stopped local run left. */
  private record LocalStop(String jobId, String log, Path jobDir) {}

  /**
   * Starts a local run with node JVMs, SIGTERMs it once tasks of the sleeping stage run, and checks
   * what every stop must do: a prompt exit with SIGTERM's code, the line, no node JVM left.
   */
  private LocalStop stopLocalRun(List<String> extra) throws Exception {
    Path work = temp.resolve("redwood");
    List<String> args =
        new ArrayList<>(
            List.of(
                "--runner=AzureBatchRunner",
                "--inProcessNodes=false",
                "--localNodes=1",
                "--taskSlotsPerNode=2",
                "--nodeHeapMb=256",
                "--shufflePartitions=20",
                "--localWorkDir=" + work,
                "--workerJvmFlags=-XX:TieredStopAtLevel=1,-XX:+UseSerialGC"));
    args.addAll(extra);
    DriverJvm driver = DriverJvm.start(args, temp.resolve("driver.log"));
    try {
      driver.await(SLEEPING, 100);
      String jobId = driver.jobId();
      Path jobDir = work.resolve("store").resolve("jobs").resolve(jobId);
      assertThat("the job's objects", Files.isDirectory(jobDir), is(true));
      assertThat("node JVMs", processesUnder(work), is(not(empty())));

      long start = System.nanoTime();
      driver.process.destroy();
      assertThat("driver exited", driver.process.waitFor(30, TimeUnit.SECONDS), is(true));
      double seconds = (System.nanoTime() - start) / 1e9;
      driver.show();
      String log = driver.log();
      assertThat(log, driver.process.exitValue(), is(SIGTERM_EXIT));
      assertThat(log, seconds, lessThan(20.0));
      assertThat(
          log,
          matchesPattern(
              "(?s).*Interrupted: job "
                  + Pattern.quote(jobId)
                  + " stopped \\([1-9]\\d* running tasks? stopped\\); .*\n.*"));
      assertThat("node JVMs", processesUnder(work), is(empty()));
      return new LocalStop(jobId, log, jobDir);
    } finally {
      driver.process.destroyForcibly();
    }
  }

  /** Live processes whose command line names {@code dir} (node JVMs have their jars there). */
  private static List<ProcessHandle> processesUnder(Path dir) {
    String d = dir.toAbsolutePath().toString();
    return ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(c -> c.contains(d)).orElse(false))
        .toList();
  }

  private static synchronized OneAccountAzure azure() throws IOException {
    if (azure == null) {
      EmulatedAzure.storage(); // Azurite found or started before the double
      azure = new OneAccountAzure("stop");
    }
    return azure;
  }

  /** One pool of one node with 4 slots. */
  private Path parameters(OneAccountAzure azure) throws IOException {
    return azure.parameters(
        temp, List.of(azure.pool("stop-pool", "Standard_D2s_v5", 1, 4)), Map.of());
  }

  /** The account's options with progress lines on (the test waits for them). */
  private List<String> azureArgs(OneAccountAzure azure, Path parameters) throws IOException {
    List<String> args = new ArrayList<>(azure.args(temp, parameters, "--shufflePartitions=20"));
    args.remove("--quiet");
    return args;
  }

  /** The Batch job of run {@code runId}, which must be active and the run's only one. */
  private static String onlyActiveJobOf(OneAccountAzure azure, String runId) throws IOException {
    List<String> jobs = new ArrayList<>();
    for (CloudJob job : azure.client().jobOperations().listJobs()) {
      if (job.state() == JobState.ACTIVE && runId.equals(metadata(job, "redwood-run"))) {
        jobs.add(job.id());
      }
    }
    assertThat("active Batch jobs of run " + runId, jobs.size(), is(1));
    return jobs.get(0);
  }

  private static String metadata(CloudJob job, String name) {
    if (job.metadata() != null) {
      for (MetadataItem item : job.metadata()) {
        if (item.name().equals(name)) {
          return item.value();
        }
      }
    }
    return null;
  }

  private static List<String> jobIds(OneAccountAzure azure) throws IOException {
    List<String> ids = new ArrayList<>();
    azure.client().jobOperations().listJobs().forEach(j -> ids.add(j.id()));
    return ids;
  }

  /** Waits (bounded) until the live driver has renewed its job's heartbeat with a PATCH. */
  private static void awaitHeartbeat(OneAccountAzure azure, String batchJob) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      for (RecordedRequest r : azure.batch.requests()) {
        if (r.method().equals("PATCH")
            && r.path().equals("/jobs/" + batchJob)
            && r.status() == 200
            && r.bodyJson().toString().contains("redwood-heartbeat")) {
          return;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("The driver renewed no heartbeat of " + batchJob + " within 20 s");
  }

  /** The containers of run {@code runId}'s objects ({@code <base>-<run id>}, maybe shortened). */
  private static List<String> jobContainers(OneAccountAzure azure, String runId) {
    String tail = runId.substring(Math.max(0, runId.length() - 22));
    List<String> names = new ArrayList<>();
    for (BlobContainerItem c : EmulatedAzure.storage().listBlobContainers()) {
      if (c.getName().startsWith(azure.container() + "-") && c.getName().endsWith(tail)) {
        names.add(c.getName());
      }
    }
    return names;
  }

  /** A driver JVM running {@link SleepingRunMain}, its stdout and stderr in one file. */
  private static final class DriverJvm {
    final Process process;
    final Path log;

    private DriverJvm(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    static DriverJvm start(List<String> args, Path log, String... systemProperties)
        throws IOException {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      // This JVM's --add-opens flags, which the Batch SDK and Beam need.
      for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (flag.startsWith("--add-opens")) {
          command.add(flag);
        }
      }
      command.addAll(List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
      command.addAll(List.of(systemProperties));
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(SleepingRunMain.class.getName());
      command.addAll(args);
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      return new DriverJvm(process, log);
    }

    String log() throws IOException {
      return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** Shows the driver's output in the test's report. */
    void show() throws IOException {
      System.out.println("--- driver output ---\n" + log() + "--- end of driver output ---");
    }

    /** Waits until the log has a line matching {@code pattern}; fails after {@code seconds}. */
    void await(Pattern pattern, int seconds) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < deadline) {
        if (pattern.matcher(log()).find()) {
          return;
        }
        if (!process.isAlive()) {
          throw new AssertionError("The driver exited early:\n" + log());
        }
        Thread.sleep(200);
      }
      throw new AssertionError(
          "No line matching " + pattern + " within " + seconds + " s:\n" + log());
    }

    /** The run's id, from its first progress line. */
    String jobId() throws IOException {
      Matcher m = JOB_LINE.matcher(log());
      if (!m.find()) {
        throw new AssertionError("No job line in:\n" + log());
      }
      return m.group(1);
    }
  }
}
