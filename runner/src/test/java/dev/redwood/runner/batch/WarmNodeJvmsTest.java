package dev.redwood.runner.batch;

import static dev.redwood.runner.batch.LocalBatchServiceContract.task;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.redwood.runner.batch.LocalBatchServiceContract.Events;
import dev.redwood.runner.storage.BlobStore;
import dev.redwood.runner.storage.BlobStores;
import dev.redwood.runner.storage.LocalBlobStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node JVMs kept warm between the jobs of one driver JVM ({@code --reuseNodes}): the next job on
 * the same classpath runs on them, a busy or differently started JVM is never reused, and none
 * outlives the driver JVM, whether it exits or is killed.
 */
class WarmNodeJvmsTest {
  private static final List<String> NODE_JVM_FLAGS =
      List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");

  @TempDir static Path tempDir;
  private static LocalBlobStore store;
  private static List<String> classpathKeys;
  private static int jobs;

  private final List<LocalBatchService> services = new ArrayList<>();

  @BeforeAll
  static void stageClasspath() throws Exception {
    store = new LocalBlobStore(tempDir.resolve("store"));
    classpathKeys =
        TestClasspathStager.stage(store, Files.createDirectories(tempDir.resolve("jars")));
  }

  @AfterAll
  static void closeStore() throws Exception {
    store.close();
  }

  @AfterEach
  void closeServices() {
    services.forEach(LocalBatchService::close);
    LocalBatchService.stopWarmNodeJvms();
  }

  private LocalBatchService service(boolean reuse, List<String> jvmFlags) {
    LocalBatchService service =
        new LocalBatchService(
            LocalBatchService.Config.builder(store, tempDir.resolve("work"))
                .slotsPerNode(1)
                .nodeHeapMb(256)
                .jvmFlags(jvmFlags)
                .reuseNodeJvms(reuse)
                .build());
    services.add(service);
    return service;
  }

  private static BatchJob job(LocalBatchService service) throws Exception {
    return service.createJob(new JobSpec("warm-job-" + ++jobs, classpathKeys, Map.of()));
  }

  /** Runs an {@link TestTasks.EnvDump} task and returns the job id it saw. */
  private static String runTask(BatchJob job) throws Exception {
    String result = "results/" + job.jobId();
    job.addTasks(
        List.of(
            task(
                "dump",
                TestTasks.EnvDump.class.getName(),
                Map.of(),
                store.location(),
                result,
                "0")));
    assertThat(new Events(job).await("dump", TaskEvent.State.COMPLETED).exitCode(), is(0));
    Properties seen = new Properties();
    seen.load(new StringReader(new String(store.get(result), StandardCharsets.UTF_8)));
    return seen.getProperty("env." + BatchEnvironment.JOB_ID);
  }

  private static ProcessHandle onlyNode(LocalBatchService service) {
    List<ProcessHandle> nodes = service.nodeProcesses();
    assertThat(nodes, hasSize(1));
    return nodes.get(0);
  }

  @Test
  void theNextJobOnTheSameClasspathRunsOnTheWarmJvm() throws Exception {
    LocalBatchService first = service(true, NODE_JVM_FLAGS);
    BatchJob firstJob = job(first);
    assertThat(runTask(firstJob), is(firstJob.jobId()));
    ProcessHandle node = onlyNode(first);
    first.close();
    assertThat(node.isAlive(), is(true));
    assertThat(LocalBatchService.warmNodeJvms(), hasItem(node));

    LocalBatchService second = service(true, NODE_JVM_FLAGS);
    BatchJob secondJob = job(second);
    assertThat(onlyNode(second), is(node));
    assertThat(LocalBatchService.warmNodeJvms(), not(hasItem(node)));
    assertThat(runTask(secondJob), is(secondJob.jobId()));
    second.close();

    // Other JVM flags: another JVM; the warm one is left for a job it fits.
    LocalBatchService other = service(true, List.of("-XX:+UseSerialGC", "-Dwarm.test=other"));
    job(other);
    assertThat(onlyNode(other), not(node));
    assertThat(LocalBatchService.warmNodeJvms(), hasItem(node));

    LocalBatchService.stopWarmNodeJvms();
    assertThat(node.onExit().get(30, TimeUnit.SECONDS).isAlive(), is(false));
  }

  @Test
  void aJvmStillRunningATaskOrNotReusableStopsWithItsJob() throws Exception {
    LocalBatchService busy = service(true, NODE_JVM_FLAGS);
    BatchJob job = job(busy);
    job.addTasks(List.of(task("sleeper", TestTasks.Sleeper.class)));
    new Events(job).await("sleeper", TaskEvent.State.RUNNING);
    ProcessHandle node = onlyNode(busy);
    busy.close();
    assertThat(node.onExit().get(30, TimeUnit.SECONDS).isAlive(), is(false));
    assertThat(LocalBatchService.warmNodeJvms(), empty());

    LocalBatchService plain = service(false, NODE_JVM_FLAGS);
    job(plain);
    ProcessHandle plainNode = onlyNode(plain);
    plain.close();
    assertThat(plainNode.onExit().get(30, TimeUnit.SECONDS).isAlive(), is(false));
    assertThat(LocalBatchService.warmNodeJvms(), empty());
  }

  @Test
  void noWarmJvmOutlivesItsDriverJvm() throws Exception {
    for (boolean killed : new boolean[] {false, true}) {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(List.of("-XX:+UseSerialGC", "-Xmx256m", "-cp"));
      command.add(System.getProperty("java.class.path"));
      command.add(WarmDriverMain.class.getName());
      command.add(store.location());
      command.add(tempDir.resolve("driver-work-" + killed).toString());
      command.add(String.valueOf(killed));
      command.addAll(classpathKeys);
      Process driver = new ProcessBuilder(command).redirectErrorStream(true).start();
      long warmPid = -1;
      List<String> output = new ArrayList<>();
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          output.add(line);
          if (line.startsWith(WarmDriverMain.WARM)) {
            warmPid = Long.parseLong(line.substring(WarmDriverMain.WARM.length()).trim());
            if (killed) {
              driver.destroyForcibly();
              break;
            }
          }
        }
      } finally {
        if (!driver.waitFor(60, TimeUnit.SECONDS)) {
          driver.destroyForcibly();
        }
      }
      assertThat("the driver printed its warm node JVM: " + output, warmPid > 0, is(true));
      ProcessHandle warm = ProcessHandle.of(warmPid).orElse(null);
      if (warm != null) {
        // Not the driver's child any more: wait for it by polling, boundedly.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (warm.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(
            "warm node JVM " + warmPid + " after its driver " + (killed ? "was killed" : "exited"),
            warm.isAlive(),
            is(false));
      }
    }
  }

  /**
   * A driver JVM that runs a job, leaves its node JVM warm, prints its pid and then either returns
   * from main or waits to be killed.
   */
  public static final class WarmDriverMain {
    static final String WARM = "warm node JVM pid ";

    public static void main(String[] args) throws Exception {
      try (BlobStore driverStore = BlobStores.open(args[0], Map.of())) {
        LocalBatchService service =
            new LocalBatchService(
                LocalBatchService.Config.builder(driverStore, Path.of(args[1]))
                    .slotsPerNode(1)
                    .nodeHeapMb(256)
                    .jvmFlags(NODE_JVM_FLAGS)
                    .reuseNodeJvms(true)
                    .build());
        List<String> keys = List.of(args).subList(3, args.length);
        service.createJob(new JobSpec("warm-driver", keys, Map.of()));
        long pid = service.nodeProcesses().get(0).pid();
        service.close();
        if (!LocalBatchService.warmNodeJvms().stream().anyMatch(p -> p.pid() == pid)) {
          throw new IllegalStateException("the node JVM was not kept warm");
        }
        System.out.println(WARM + pid);
        System.out.flush();
        if (Boolean.parseBoolean(args[2])) {
          Thread.sleep(TimeUnit.MINUTES.toMillis(2)); // killed by the test before this ends
        }
      }
    }
  }
}
