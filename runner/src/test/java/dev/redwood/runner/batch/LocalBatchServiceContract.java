package dev.redwood.runner.batch;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.redwood.runner.storage.BlobStore;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@link LocalBatchService} does in either node mode; the subclasses say which mode and supply
 * the store, work directory and staged classpath.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class LocalBatchServiceContract {
  static final Duration EVENT_TIMEOUT = Duration.ofSeconds(30);
  private static final AtomicInteger JOB_NUMBER = new AtomicInteger();

  private final List<LocalBatchService> services = new ArrayList<>();

  /** A builder with the store, work directory and mode set. */
  abstract LocalBatchService.Config.Builder configBuilder();

  abstract BlobStore store();

  abstract Path workDir();

  abstract List<String> classpathKeys();

  abstract boolean nodesAreProcesses();

  @AfterEach
  void closeServices() {
    services.forEach(LocalBatchService::close);
  }

  LocalBatchService newService(int nodes, int slotsPerNode) {
    LocalBatchService service =
        new LocalBatchService(configBuilder().nodes(nodes).slotsPerNode(slotsPerNode).build());
    services.add(service);
    return service;
  }

  BatchJob newJob(LocalBatchService service, Map<String, String> environment) throws Exception {
    String jobId = "job-" + getClass().getSimpleName() + "-" + JOB_NUMBER.incrementAndGet();
    return service.createJob(new JobSpec(jobId, classpathKeys(), environment));
  }

  static TaskSpec task(String taskId, Class<?> mainClass, String... arguments) {
    return task(taskId, mainClass.getName(), Map.of(), arguments);
  }

  static TaskSpec task(
      String taskId, String mainClass, Map<String, String> environment, String... arguments) {
    return new TaskSpec(taskId, "test " + taskId, mainClass, List.of(arguments), environment);
  }

  /** Arguments of {@link TestTasks.EnvDump}: where to write what it saw, and its exit code. */
  String[] envDumpArguments(String resultKey, int exitCode, String... more) {
    List<String> arguments = new ArrayList<>();
    arguments.add(store().location());
    arguments.add(resultKey);
    arguments.add(String.valueOf(exitCode));
    arguments.addAll(Arrays.asList(more));
    return arguments.toArray(new String[0]);
  }

  Path taskDir(String nodeId, String jobId, String taskId) {
    return workDir()
        .resolve("nodes")
        .resolve(nodeId)
        .resolve("workitems")
        .resolve(jobId)
        .resolve("job-1")
        .resolve(taskId);
  }

  @Test
  void tasksRunAndReportTheirExitCodes() throws Exception {
    LocalBatchService service = newService(1, 2);
    BatchJob job = newJob(service, Map.of());
    String results = "results/" + job.jobId();
    job.addTasks(
        List.of(
            task("ok", TestTasks.EnvDump.class, envDumpArguments(results + "/ok", 0)),
            task("three", TestTasks.EnvDump.class, envDumpArguments(results + "/3", 3)),
            task("fails", TestTasks.Failing.class),
            task("not-a-task", TestTasks.NotATask.class),
            task("no-class", "dev.redwood.NoSuchTask", Map.of())));
    Events events = new Events(job);
    Map<String, TaskEvent> completed =
        events.awaitCompleted("ok", "three", "fails", "not-a-task", "no-class");

    assertThat(completed.get("ok").exitCode(), is(0));
    assertThat(completed.get("ok").succeeded(), is(true));
    assertThat(completed.get("three").exitCode(), is(3));
    assertThat(completed.get("fails").exitCode(), is(1));
    assertThat(completed.get("not-a-task").exitCode(), is(1));
    assertThat(completed.get("no-class").exitCode(), is(1));
    for (TaskEvent event : completed.values()) {
      assertThat(event.failureInfo(), nullValue());
      assertThat(event.nodeId(), is("node-0"));
      assertThat(events.indexOf(event.taskId(), TaskEvent.State.RUNNING), greaterThan(-1));
    }

    String failed = job.taskLogTail("fails", 10_000);
    assertThat(failed, containsString("IllegalStateException: deliberate failure of fails"));
    assertThat(failed, containsString("--- stderr.txt"));
    assertThat(failed, containsString("--- stdout.txt"));
    assertThat(failed, containsString("about to fail"));
    assertThat(
        job.taskLogTail("not-a-task", 10_000),
        containsString("does not implement " + BatchTaskMain.class.getName()));
    assertThat(
        job.taskLogTail("no-class", 10_000),
        containsString("dev.redwood.NoSuchTask is not on the job's classpath"));
    assertThat(job.taskLogTail("fails", 20), containsString("(last 20 of "));
  }

  @Test
  void taskGetsBatchEnvironmentAndArguments() throws Exception {
    LocalBatchService service = newService(1, 1);
    BatchJob job = newJob(service, Map.of("JOB_VAR", "j", "SHARED", "from-job"));
    String resultKey = "results/" + job.jobId() + "/env";
    List<String> odd = List.of("with space", "line\nbreak", "ünïcødé \"quoted\"", "");
    job.addTasks(
        List.of(
            task(
                "env",
                TestTasks.EnvDump.class.getName(),
                Map.of("TASK_VAR", "t", "SHARED", "from-task"),
                envDumpArguments(resultKey, 0, odd.toArray(new String[0])))));
    TaskEvent done = new Events(job).awaitCompleted("env").get("env");
    assertThat(done.exitCode(), is(0));

    Properties seen = new Properties();
    seen.load(new StringReader(new String(store().get(resultKey), StandardCharsets.UTF_8)));
    Path nodeRoot = workDir().resolve("nodes").resolve("node-0");
    Path taskDir = taskDir("node-0", job.jobId(), "env");
    assertThat(seen.getProperty("env." + BatchEnvironment.ACCOUNT_NAME), is("local"));
    assertThat(seen.getProperty("env." + BatchEnvironment.POOL_ID), is("local"));
    assertThat(seen.getProperty("env." + BatchEnvironment.NODE_ID), is("node-0"));
    assertThat(seen.getProperty("env." + BatchEnvironment.NODE_ROOT_DIR), is(nodeRoot.toString()));
    assertThat(
        seen.getProperty("env." + BatchEnvironment.NODE_SHARED_DIR),
        is(nodeRoot.resolve("shared").toString()));
    assertThat(
        seen.getProperty("env." + BatchEnvironment.NODE_STARTUP_DIR),
        is(nodeRoot.resolve("startup").toString()));
    assertThat(seen.getProperty("env." + BatchEnvironment.JOB_ID), is(job.jobId()));
    assertThat(seen.getProperty("env." + BatchEnvironment.TASK_ID), is("env"));
    assertThat(seen.getProperty("env." + BatchEnvironment.TASK_DIR), is(taskDir.toString()));
    assertThat(
        seen.getProperty("env." + BatchEnvironment.TASK_WORKING_DIR),
        is(taskDir.resolve("wd").toString()));
    assertThat(seen.getProperty("env.JOB_VAR"), is("j"));
    assertThat(seen.getProperty("env.TASK_VAR"), is("t"));
    assertThat(seen.getProperty("env.SHARED"), is("from-task"));
    assertThat(seen.getProperty("wd.exists"), is("true"));
    // Node JVMs also have the node's variables as their real environment.
    assertThat(seen.getProperty("process.nodeId"), is(nodesAreProcesses() ? "node-0" : ""));
    for (int i = 0; i < odd.size(); i++) {
      assertThat(seen.getProperty("arg." + (3 + i)), is(odd.get(i)));
    }

    // The working directory goes with the task; its logs stay until the job goes.
    assertThat(Files.exists(taskDir.resolve("wd")), is(false));
    assertThat(Files.exists(taskDir.resolve("stdout.txt")), is(true));
    assertThat(Files.exists(taskDir.resolve("stderr.txt")), is(true));
    job.terminate();
    assertThat(Files.exists(nodeRoot.resolve("workitems").resolve(job.jobId())), is(false));
  }

  @Test
  void concurrentTasksOnOneNodeKeepTheirOutputApart() throws Exception {
    LocalBatchService service = newService(1, 2);
    BatchJob job = newJob(service, Map.of());
    job.addTasks(
        List.of(
            task("print-a", TestTasks.Printer.class, "a", "pair"),
            task("print-b", TestTasks.Printer.class, "b", "pair")));
    Map<String, TaskEvent> completed = new Events(job).awaitCompleted("print-a", "print-b");
    assertThat(job.taskLogTail("print-a", 10_000), completed.get("print-a").exitCode(), is(0));
    assertThat(job.taskLogTail("print-b", 10_000), completed.get("print-b").exitCode(), is(0));

    for (String name : List.of("a", "b")) {
      String other = name.equals("a") ? "b" : "a";
      Path dir = taskDir("node-0", job.jobId(), "print-" + name);
      String stdout = Files.readString(dir.resolve("stdout.txt"));
      String stderr = Files.readString(dir.resolve("stderr.txt"));
      for (int i = 0; i < 50; i++) {
        assertThat(stdout, containsString("out-" + name + "-" + i + "\n"));
        assertThat(stderr, containsString("err-" + name + "-" + i + "\n"));
      }
      assertThat(stdout, containsString("child-out-" + name));
      assertThat(stderr, containsString("child-err-" + name));
      assertThat(stdout, not(containsString("err-")));
      assertThat(stderr, not(containsString("out-")));
      assertThat(stdout, not(containsString("-" + other + "-")));
      assertThat(stderr, not(containsString("-" + other + "-")));
      assertThat(stdout, not(containsString("-" + other + "\n")));
    }
  }

  @Test
  void tasksStartInOrderOnTheNodeWithMostFreeSlots() throws Exception {
    LocalBatchService service = newService(2, 1);
    assertThat(service.totalTaskSlots(), is(2));
    BatchJob job = newJob(service, Map.of());
    List<TaskSpec> tasks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      tasks.add(
          task(
              "t" + i,
              TestTasks.EnvDump.class,
              envDumpArguments("results/" + job.jobId() + "/" + i, 0)));
    }
    job.addTasks(tasks);
    Events events = new Events(job);
    Map<String, TaskEvent> completed = events.awaitCompleted("t0", "t1", "t2", "t3");
    completed.values().forEach(event -> assertThat(event.exitCode(), is(0)));
    assertThat(completed.get("t0").nodeId(), is("node-0"));
    assertThat(completed.get("t1").nodeId(), is("node-1"));
    // One slot per node: t2 and t3 wait until an earlier task has finished.
    int firstDone =
        Math.min(
            events.indexOf("t0", TaskEvent.State.COMPLETED),
            events.indexOf("t1", TaskEvent.State.COMPLETED));
    assertThat(events.indexOf("t2", TaskEvent.State.RUNNING), greaterThan(firstDone));
    assertThat(events.indexOf("t3", TaskEvent.State.RUNNING), greaterThan(firstDone));
  }

  @Test
  void terminateStopsRunningTasksPromptlyAndDropsQueuedOnes() throws Exception {
    LocalBatchService service = newService(1, 1);
    BatchJob job = newJob(service, Map.of());
    job.addTasks(
        List.of(
            task("sleep-1", TestTasks.Sleeper.class), task("sleep-2", TestTasks.Sleeper.class)));
    Events events = new Events(job);
    events.await("sleep-1", TaskEvent.State.RUNNING);
    List<ProcessHandle> nodes = service.nodeProcesses();
    assertThat(nodes, hasSize(nodesAreProcesses() ? 1 : 0));

    long start = System.nanoTime();
    job.terminate();
    assertThat(Duration.ofNanos(System.nanoTime() - start), lessThan(Duration.ofSeconds(5)));
    TaskEvent stopped = events.await("sleep-1", TaskEvent.State.COMPLETED);
    assertThat(stopped.exitCode(), is(-1));
    assertThat(stopped.failureInfo(), is("terminated"));
    nodes.forEach(node -> assertThat(node.isAlive(), is(false)));
    assertThat(service.nodeProcesses(), empty());
    // The queued task never runs.
    assertThat(job.pollTaskEvents(Duration.ofMillis(300)), empty());
    assertThat(events.indexOf("sleep-2", TaskEvent.State.RUNNING), is(-1));

    job.terminate(); // idempotent
    assertThrows(
        IllegalStateException.class,
        () -> job.addTasks(List.of(task("late", TestTasks.Sleeper.class))));

    // The nodes serve the next job.
    BatchJob next = newJob(service, Map.of());
    next.addTasks(
        List.of(
            task(
                "after", TestTasks.EnvDump.class, envDumpArguments("results/" + next.jobId(), 0))));
    assertThat(new Events(next).awaitCompleted("after").get("after").exitCode(), is(0));
  }

  @Test
  void closeStopsEveryNodeAndDeletesJobDirectories() throws Exception {
    LocalBatchService service = newService(2, 1);
    BatchJob job = newJob(service, Map.of());
    job.addTasks(List.of(task("sleep", TestTasks.Sleeper.class)));
    Events events = new Events(job);
    events.await("sleep", TaskEvent.State.RUNNING);
    List<ProcessHandle> nodes = service.nodeProcesses();
    assertThat(nodes, hasSize(nodesAreProcesses() ? 2 : 0));

    service.close();
    for (ProcessHandle node : nodes) {
      assertThat("node pid " + node.pid(), node.isAlive(), is(false));
    }
    assertThat(liveNodeJvms(), empty());
    assertThat(events.await("sleep", TaskEvent.State.COMPLETED).failureInfo(), is("terminated"));
    Path jobDir = taskDir("node-0", job.jobId(), "sleep").getParent().getParent();
    assertThat(Files.exists(jobDir), is(false));

    service.close(); // idempotent
    assertThrows(
        IllegalStateException.class,
        () -> service.createJob(new JobSpec("after-close", classpathKeys(), Map.of())));
  }

  @Test
  void rejectsBadIdsAndDuplicates() throws Exception {
    LocalBatchService service = newService(1, 1);
    assertThrows(
        IllegalArgumentException.class,
        () -> service.createJob(new JobSpec("../escape", classpathKeys(), Map.of())));
    BatchJob job = newJob(service, Map.of());
    assertThrows(
        IllegalArgumentException.class,
        () -> service.createJob(new JobSpec(job.jobId(), classpathKeys(), Map.of())));
    assertThrows(
        IllegalArgumentException.class,
        () -> job.addTasks(List.of(task("a/b", TestTasks.Sleeper.class))));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            job.addTasks(
                List.of(
                    task("twice", TestTasks.Sleeper.class),
                    task("twice", TestTasks.Sleeper.class))));
    assertThat(job.taskLogTail("never", 100), containsString("has not run"));
  }

  @Test
  void aTaskWritesOnlyWhatTheStoreGrantInItsEnvironmentCovers() throws Exception {
    LocalBatchService service = newService(1, 2);
    BatchJob job = newJob(service, Map.of());
    String granted = "jobs/" + job.jobId() + "/stages/0/tasks/0/attempt-0/manifest";
    String other = "jobs/" + job.jobId() + "/stages/0/tasks/1/attempt-0/manifest";
    // The grant travels in the task's environment, as the driver's taskSpec sends it.
    Map<String, String> grant =
        store().taskAccess(job.jobId(), List.of(granted), Duration.ofMinutes(10));
    job.addTasks(
        List.of(
            task("inside", TestTasks.EnvDump.class.getName(), grant, envDumpArguments(granted, 0)),
            task("outside", TestTasks.EnvDump.class.getName(), grant, envDumpArguments(other, 0))));
    Map<String, TaskEvent> completed = new Events(job).awaitCompleted("inside", "outside");

    assertThat(completed.get("inside").exitCode(), is(0));
    assertThat(store().exists(granted), is(true));
    assertThat(completed.get("outside").exitCode(), is(1));
    assertThat(store().exists(other), is(false));
    String log = job.taskLogTail("outside", 10_000);
    assertThat(log, containsString("'" + other + "'"));
    assertThat(log, containsString("outside the attempt's grant"));
  }

  /** Node JVMs that are children of this JVM and still alive. */
  static List<ProcessHandle> liveNodeJvms() {
    return ProcessHandle.current()
        .children()
        .filter(ProcessHandle::isAlive)
        .filter(
            child -> child.info().commandLine().orElse("").contains(LocalNodeMain.class.getName()))
        .toList();
  }

  /** The events of one job as the test has polled them so far; polls more on demand. */
  static final class Events {
    private final BatchJob job;
    private final List<TaskEvent> seen = new ArrayList<>();

    Events(BatchJob job) {
      this.job = job;
    }

    /** Waits (boundedly) for the task's event of that state. */
    TaskEvent await(String taskId, TaskEvent.State state) throws Exception {
      long deadline = System.nanoTime() + EVENT_TIMEOUT.toNanos();
      while (true) {
        int index = indexOf(taskId, state);
        if (index >= 0) {
          return seen.get(index);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail(
              "No "
                  + state
                  + " event for task "
                  + taskId
                  + " in "
                  + EVENT_TIMEOUT
                  + "; saw "
                  + seen);
        }
        seen.addAll(job.pollTaskEvents(Duration.ofNanos(Math.min(left, 1_000_000_000L))));
      }
    }

    Map<String, TaskEvent> awaitCompleted(String... taskIds) throws Exception {
      Map<String, TaskEvent> completed = new LinkedHashMap<>();
      for (String taskId : taskIds) {
        completed.put(taskId, await(taskId, TaskEvent.State.COMPLETED));
      }
      return completed;
    }

    /** Position of the event among those seen, or -1. */
    int indexOf(String taskId, TaskEvent.State state) {
      for (int i = 0; i < seen.size(); i++) {
        if (seen.get(i).taskId().equals(taskId) && seen.get(i).state() == state) {
          return i;
        }
      }
      return -1;
    }

    List<TaskEvent> seen() {
      return seen;
    }
  }
}
