package dev.redwood.runner.driver;

import dev.redwood.runner.batch.BatchJob;
import dev.redwood.runner.batch.BatchService;
import dev.redwood.runner.batch.JobSpec;
import dev.redwood.runner.batch.LocalBatchService;
import dev.redwood.runner.batch.TaskEvent;
import dev.redwood.runner.batch.TaskSpec;
import dev.redwood.runner.plan.JobLayout;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run does when its driver JVM is told to stop (Ctrl-C, SIGTERM) while the run is active: a
 * JVM shutdown hook, registered when the run starts and removed when it ends. It cancels the
 * driver, stops the run's tasks (Azure: terminates and deletes its Batch jobs, and deletes the
 * pools the run created where {@link BatchService#close()} would; local: stops the node JVMs), then
 * deletes the run's objects or keeps them (the launcher's {@link ObjectsStep} does either), and
 * prints one line to stderr saying what it did.
 *
 * <p>Objects are kept when {@code --keepJobData} is given or the run can be resumed (named with
 * {@code --jobName}, or itself resumed); the session's end is then recorded. Everything is over
 * within {@link #BUDGET}, after which the JVM exits whatever is still pending; Batch jobs that
 * could not be ended then end at their own deadline, or are ended by the next run on the account
 * once their heartbeat is stale. The hook never calls {@code System.exit} or {@code halt}: the
 * JVM's exit code stays the signal's (130, 143).
 *
 * <p>The run and the hook may both want to clean up (a signal as the run ends): whichever starts
 * first does it, and the hook waits (bounded) for the run's clean-up to finish before the JVM goes.
 */
final class RunShutdownHook {
  private static final Logger LOG = LoggerFactory.getLogger(RunShutdownHook.class);

  /** All the hook does is over within this time: a stopped driver must stop promptly. */
  static final Duration BUDGET = Duration.ofSeconds(10);

  /** Of {@link #BUDGET}, what stopping the tasks may take; deleting the objects gets the rest. */
  private static final Duration STOP_SHARE = Duration.ofSeconds(6);

  /** Who cleans up the run: the run itself (it ended) or the hook (the JVM is stopping). */
  private enum Cleaner {
    RUN,
    HOOK
  }

  /** Deletes the run's objects, or records that they are kept (for resume). */
  @FunctionalInterface
  interface ObjectsStep {
    void run() throws IOException;
  }

  private final String jobId;
  private final JobLayout layout;
  private final boolean keepObjects;
  private final ObjectsStep objects;
  private final boolean remoteNodes;
  private final Thread thread;
  private final AtomicReference<Cleaner> cleaner = new AtomicReference<>();
  private final CountDownLatch runCleanedUp = new CountDownLatch(1);

  /** Tasks the driver has seen start and not seen end. */
  private final Set<String> runningTasks = ConcurrentHashMap.newKeySet();

  private volatile BatchService batch;
  private volatile Supplier<List<ProcessHandle>> nodeProcesses = List::of;
  private volatile Runnable cancel = () -> {};

  private RunShutdownHook(
      JobLayout layout, boolean keepObjects, boolean remoteNodes, ObjectsStep objects) {
    this.jobId = layout.jobId();
    this.layout = layout;
    this.keepObjects = keepObjects;
    this.remoteNodes = remoteNodes;
    this.objects = objects;
    this.thread = new Thread(this::stopRun, "redwood-run-shutdown-" + jobId);
  }

  /**
   * Registers the hook of a run that is about to create its first object.
   *
   * @param keepObjects whether the run's objects stay when it is stopped (resumable runs, {@code
   *     --keepJobData})
   * @param remoteNodes whether tasks run on Azure Batch (which the stderr line names)
   * @param objects deletes the objects, or records that they are kept, as {@code keepObjects} says
   */
  static RunShutdownHook register(
      JobLayout layout, boolean keepObjects, boolean remoteNodes, ObjectsStep objects) {
    RunShutdownHook hook = new RunShutdownHook(layout, keepObjects, remoteNodes, objects);
    Runtime.getRuntime().addShutdownHook(hook.thread);
    return hook;
  }

  /**
   * The run's Batch service, wrapped so that the hook knows which tasks run; the run uses what this
   * returns.
   */
  BatchService watch(BatchService service) throws IOException {
    if (service instanceof LocalBatchService local) {
      nodeProcesses = local::nodeProcesses;
      // This hook stops the nodes, after counting the tasks they ran: the service's own hook
      // would race it, failing the tasks before they were counted.
      local.leaveShutdownToCaller();
    }
    BatchService watched = new WatchedBatch(service);
    batch = watched;
    if (stopping()) {
      // The hook ran while the run was still staging: nothing may start now.
      service.closeWithin(STOP_SHARE);
      throw new IllegalStateException("Run " + jobId + " was stopped before it started");
    }
    return watched;
  }

  /** How the hook cancels the driver. */
  void onStop(Runnable cancelDriver) {
    this.cancel = cancelDriver;
  }

  /**
   * Called by the run before its own clean-up: true when the run is to clean up, false when the
   * hook has taken that over (the JVM is stopping). Either way, call {@link #runEnded} after.
   */
  boolean runCleansUp() {
    if (cleaner.get() == null && shuttingDown()) {
      // The hook is about to run: the run most likely failed because of the shutdown (another
      // hook stopped the local nodes first), and the hook is the one that says what happened.
      return false;
    }
    return cleaner.compareAndSet(null, Cleaner.RUN) || cleaner.get() == Cleaner.RUN;
  }

  /** Whether the JVM is stopping and the hook cleans up: the run's failure is then no news. */
  boolean stopping() {
    Cleaner c = cleaner.get();
    return c == Cleaner.HOOK || c == null && shuttingDown();
  }

  /**
   * Whether the JVM has started running its shutdown hooks: it then refuses new ones. The hooks run
   * concurrently, so the local service's own may stop the nodes before this one has started.
   */
  private static boolean shuttingDown() {
    Thread probe = new Thread(() -> {}, "redwood-shutdown-probe");
    try {
      Runtime.getRuntime().addShutdownHook(probe);
    } catch (IllegalStateException e) {
      return true;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(probe);
    } catch (IllegalStateException e) {
      return true; // began just now; the probe runs as an empty hook
    }
    return false;
  }

  /** The run has ended and cleaned up (or left that to the hook): the hook is removed. */
  void runEnded() {
    runCleanedUp.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(thread);
    } catch (IllegalStateException e) {
      // The JVM is shutting down: the hook runs or has run.
    }
  }

  /** The hook's body (called directly by tests). */
  void stopRun() {
    if (!cleaner.compareAndSet(null, Cleaner.HOOK)) {
      // The run ended as the signal came: let its own clean-up finish before the JVM exits.
      try {
        runCleanedUp.await(BUDGET.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    long start = System.nanoTime();
    cancel.run();
    int stopped = runningTasks.size();
    Outcome outcome = new Outcome();
    Thread worker = new Thread(() -> cleanUp(outcome), "redwood-run-shutdown-cleanup");
    worker.setDaemon(true);
    worker.start();
    try {
      worker.join(BUDGET.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String line =
        "Interrupted: job "
            + jobId
            + " stopped ("
            + stopped
            + " running task"
            + (stopped == 1 ? "" : "s")
            + " stopped); "
            + outcome.tasks(remoteNodes)
            + "; "
            + outcome.objects(keepObjects, jobId, layout.jobPrefix());
    System.err.println(line);
    LOG.debug("Stopping run {} took {} ms", jobId, (System.nanoTime() - start) / 1_000_000);
  }

  /** Stops the tasks, then deletes the objects unless kept; records how each went. */
  private void cleanUp(Outcome outcome) {
    long start = System.nanoTime();
    BatchService service = batch;
    if (service == null) {
      outcome.tasks = "none";
    } else {
      List<ProcessHandle> processes = new ArrayList<>();
      for (ProcessHandle p : nodeProcesses.get()) {
        processes.add(p);
        p.descendants().forEach(processes::add);
      }
      try {
        service.closeWithin(STOP_SHARE);
        outcome.tasks = "done";
      } catch (IOException | RuntimeException e) {
        outcome.tasks = "failed: " + e.getMessage();
      }
      outcome.survivors = stopProcesses(processes, start + STOP_SHARE.toNanos());
    }
    try {
      objects.run();
      outcome.objects = "done";
    } catch (IOException | RuntimeException e) {
      outcome.objects = "failed: " + e.getMessage();
    }
  }

  /**
   * Waits until {@code deadline} for node JVMs and their tasks' processes to exit (the local
   * service's own hook may be stopping them at the same time), then kills what is left; returns how
   * many would not go.
   */
  private static int stopProcesses(List<ProcessHandle> processes, long deadline) {
    for (ProcessHandle p : processes) {
      long left = deadline - System.nanoTime();
      if (left > 0 && p.isAlive()) {
        try {
          p.onExit().get(left, TimeUnit.NANOSECONDS);
        } catch (Exception e) {
          // Still alive at the deadline: killed below.
        }
      }
    }
    int survivors = 0;
    for (ProcessHandle p : processes) {
      if (p.isAlive()) {
        p.destroyForcibly();
        try {
          p.onExit().get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
          survivors++;
        }
      }
    }
    return survivors;
  }

  /** How the hook's steps went: null while a step is unfinished. */
  private static final class Outcome {
    volatile String tasks;
    volatile String objects;
    volatile int survivors;

    String tasks(boolean remote) {
      String what = remote ? "Batch jobs" : "local nodes";
      String s = tasks;
      if ("none".equals(s)) {
        return "no Batch job had been created";
      }
      if (s == null) {
        return what
            + " not confirmed stopped within "
            + BUDGET.toSeconds()
            + " s"
            + (remote ? " (Batch ends them at the run's deadline)" : "");
      }
      if (s.startsWith("failed: ")) {
        return what
            + " not all stopped ("
            + s.substring("failed: ".length())
            + ")"
            + (remote ? "; Batch ends them at the run's deadline" : "");
      }
      if (survivors > 0) {
        return what + " stopped, but " + survivors + " processes would not exit";
      }
      return remote ? "Batch jobs deleted" : "node JVMs stopped";
    }

    String objects(boolean keep, String jobId, String prefix) {
      String s = objects;
      if (keep) {
        return "its objects were kept for --resumeFrom="
            + jobId
            + (s != null && s.startsWith("failed: ")
                ? " (but how the run ended could not be recorded: "
                    + s.substring("failed: ".length())
                    + ")"
                : "");
      }
      if (s == null) {
        return "its objects were not all deleted in time (" + prefix + ")";
      }
      if (s.startsWith("failed: ")) {
        return "its objects could not all be deleted ("
            + prefix
            + ": "
            + s.substring("failed: ".length())
            + ")";
      }
      return "its objects were deleted";
    }
  }

  /** The run's Batch service, noting which tasks run. */
  private final class WatchedBatch implements BatchService {
    private final BatchService delegate;

    WatchedBatch(BatchService delegate) {
      this.delegate = delegate;
    }

    @Override
    public BatchJob createJob(JobSpec job) throws IOException {
      return new WatchedJob(delegate.createJob(job));
    }

    @Override
    public int totalTaskSlots() {
      return delegate.totalTaskSlots();
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }

    @Override
    public void closeWithin(Duration budget) throws IOException {
      delegate.closeWithin(budget);
    }
  }

  /** The run's job, noting tasks that start and end. */
  private final class WatchedJob implements BatchJob {
    private final BatchJob delegate;

    WatchedJob(BatchJob delegate) {
      this.delegate = delegate;
    }

    @Override
    public String jobId() {
      return delegate.jobId();
    }

    @Override
    public void addTasks(List<TaskSpec> tasks) throws IOException {
      delegate.addTasks(tasks);
    }

    @Override
    public List<TaskEvent> pollTaskEvents(Duration maxWait)
        throws IOException, InterruptedException {
      List<TaskEvent> events = delegate.pollTaskEvents(maxWait);
      for (TaskEvent e : events) {
        if (e.state() == TaskEvent.State.RUNNING) {
          runningTasks.add(e.taskId());
        } else {
          runningTasks.remove(e.taskId());
        }
      }
      return events;
    }

    @Override
    public String taskLogTail(String taskId, int maxBytes) throws IOException {
      return delegate.taskLogTail(taskId, maxBytes);
    }

    @Override
    public String taskLogLocation(String taskId) {
      return delegate.taskLogLocation(taskId);
    }

    @Override
    public void terminate() throws IOException {
      delegate.terminate();
    }
  }
}
