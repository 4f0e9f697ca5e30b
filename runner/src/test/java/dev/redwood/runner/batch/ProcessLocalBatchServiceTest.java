package dev.redwood.runner.batch;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.runner.storage.BlobStore;
import dev.redwood.runner.storage.LocalBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalBatchService} with node JVMs, on this test JVM's classpath staged into a local blob
 * store. The work directory is shared by the tests, so the nodes' classpath cache is filled once.
 */
class ProcessLocalBatchServiceTest extends LocalBatchServiceContract {
  /** Small, quick-starting node JVMs: the test tasks need little. */
  private static final List<String> NODE_JVM_FLAGS =
      List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");

  @TempDir static Path tempDir;
  private static LocalBlobStore store;
  private static List<String> classpathKeys;

  @BeforeAll
  static void stageClasspath() throws Exception {
    store = new LocalBlobStore(tempDir.resolve("store"));
    Path scratch = Files.createDirectories(tempDir.resolve("jars"));
    classpathKeys = TestClasspathStager.stage(store, scratch);
  }

  @AfterAll
  static void closeStore() throws Exception {
    store.close();
  }

  @Override
  LocalBatchService.Config.Builder configBuilder() {
    return LocalBatchService.Config.builder(store, workDir())
        .nodeHeapMb(256)
        .jvmFlags(NODE_JVM_FLAGS);
  }

  @Override
  BlobStore store() {
    return store;
  }

  @Override
  Path workDir() {
    return tempDir.resolve("work");
  }

  @Override
  List<String> classpathKeys() {
    return classpathKeys;
  }

  @Override
  boolean nodesAreProcesses() {
    return true;
  }

  @Test
  void lostNodeCompletesItsTasksWithMinusOneAndIsRestarted() throws Exception {
    LocalBatchService service = newService(1, 1);
    BatchJob job = newJob(service, Map.of());
    job.addTasks(List.of(task("doomed", TestTasks.Sleeper.class)));
    Events events = new Events(job);
    events.await("doomed", TaskEvent.State.RUNNING);
    List<ProcessHandle> nodes = service.nodeProcesses();
    assertThat(nodes, hasSize(1));
    ProcessHandle node = nodes.get(0);

    node.destroyForcibly();
    TaskEvent lost = events.await("doomed", TaskEvent.State.COMPLETED);
    assertThat(lost.exitCode(), is(-1));
    assertThat(lost.nodeId(), is("node-0"));
    assertThat(lost.failureInfo(), containsString("node-0"));
    assertThat(lost.failureInfo(), containsString("exited with code 137"));

    job.addTasks(
        List.of(
            task(
                "next",
                TestTasks.EnvDump.class,
                envDumpArguments("results/" + job.jobId() + "/next", 0))));
    assertThat(events.await("next", TaskEvent.State.COMPLETED).exitCode(), is(0));
    assertThat(service.nodeProcesses().get(0).pid(), not(node.pid()));
  }

  @Test
  void jobPreparationReusesTheNodesClasspathCache() throws Exception {
    LocalBatchService first = newService(1, 1);
    newJob(first, Map.of());
    Path cache = workDir().resolve("nodes/node-0/shared/classpath");
    Map<Path, FileTime> modified = new HashMap<>();
    for (String key : classpathKeys) {
      Path jar = cache.resolve(key.substring(key.lastIndexOf('/') + 1));
      assertThat(jar + " cached", Files.size(jar), is(store.size(key)));
      modified.put(jar, Files.getLastModifiedTime(jar));
    }
    first.close();

    LocalBatchService second = newService(1, 1);
    newJob(second, Map.of());
    for (Map.Entry<Path, FileTime> jar : modified.entrySet()) {
      assertThat(
          jar.getKey() + " reused", Files.getLastModifiedTime(jar.getKey()), is(jar.getValue()));
    }
    assertThat(
        Files.readString(workDir().resolve("nodes/node-0/node.log")),
        containsString("Node node-0 is up"));
  }

  @Test
  void nodeLostDuringJobPreparationIsPreparedAgain() throws Exception {
    LocalBatchService service = newService(2, 1);
    CompletableFuture<BatchJob> created =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return newJob(service, Map.of());
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            });
    // Kill the first node JVM that shows up, while it starts for the job.
    ProcessHandle victim = null;
    long deadline = System.nanoTime() + EVENT_TIMEOUT.toNanos();
    while (victim == null && !created.isDone() && System.nanoTime() < deadline) {
      List<ProcessHandle> starting = service.nodeProcesses();
      victim = starting.isEmpty() ? null : starting.get(0);
      Thread.sleep(victim == null ? 5 : 0);
    }
    assertThat("a node JVM started before the job was created", victim != null, is(true));
    victim.destroyForcibly();
    BatchJob job = created.get(EVENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    // Both nodes run the job's tasks: the killed one was prepared again.
    job.addTasks(List.of(task("a", TestTasks.Sleeper.class), task("b", TestTasks.Sleeper.class)));
    Events events = new Events(job);
    Set<String> nodesUsed = new HashSet<>();
    nodesUsed.add(events.await("a", TaskEvent.State.RUNNING).nodeId());
    nodesUsed.add(events.await("b", TaskEvent.State.RUNNING).nodeId());
    assertThat(nodesUsed, containsInAnyOrder("node-0", "node-1"));
    assertThat(service.nodeProcesses(), not(hasItem(victim)));
  }

  @Test
  void nodeThatCannotStartFailsTheJobCreation() throws Exception {
    LocalBatchService service =
        new LocalBatchService(
            configBuilder().jvmFlags(List.of("-XX:+NoSuchOptionAnywhere")).build());
    try {
      IOException e =
          assertThrows(
              IOException.class,
              () -> service.createJob(new JobSpec("cannot-start", classpathKeys, Map.of())));
      assertThat(e.getMessage(), containsString("during start-up"));
      assertThat(e.getMessage(), containsString("NoSuchOptionAnywhere"));
      // The failed job is gone: its id can be tried again (and fails the same way).
      assertThrows(
          IOException.class,
          () -> service.createJob(new JobSpec("cannot-start", classpathKeys, Map.of())));
    } finally {
      service.close();
    }
  }
}
