package dev.redwood.runner.driver;

import dev.redwood.runner.batch.BatchJob;
import dev.redwood.runner.batch.BatchService;
import dev.redwood.runner.batch.JobSpec;
import dev.redwood.runner.batch.TaskEvent;
import dev.redwood.runner.batch.TaskSpec;
import dev.redwood.runner.metrics.JobMetrics;
import dev.redwood.runner.plan.CommitRecord;
import dev.redwood.runner.plan.CommittedTask;
import dev.redwood.runner.plan.Continuation;
import dev.redwood.runner.plan.JobLayout;
import dev.redwood.runner.plan.JobObjects;
import dev.redwood.runner.plan.TaskFailure;
import dev.redwood.runner.plan.TaskId;
import dev.redwood.runner.plan.TaskManifest;
import dev.redwood.runner.report.RunRecorder;
import dev.redwood.runner.storage.BlobStore;
import dev.redwood.runner.translation.StagePlan;
import dev.redwood.runner.worker.TaskMain;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a stage plan on a Batch service: starts each stage when the stages it reads are committed,
 * adds one task per split or partition (and a continuation task for each accepted attempt that left
 * residual restrictions), retries failed attempts, accepts exactly one successful attempt per task
 * (its manifest), writes the stage's commit record, and aggregates metrics from accepted manifests.
 */
final class JobDriver {
  private static final Logger LOG = LoggerFactory.getLogger(JobDriver.class);
  private static final int LOG_TAIL_BYTES = 4096;

  /** How many lost nodes a task survives: Batch too gives up on a task that keeps losing them. */
  static final int MAX_NODE_LOSSES = 5;

  /** How often a run without task changes says what it waits for. */
  private static final Duration STALL_LINE_EVERY = Duration.ofMinutes(1);

  private final StagePlan plan;
  private final BlobStore store;
  private final BatchService batch;
  private final JobLayout layout;
  private final JobSpec spec;
  private final int maxTaskRetries;
  private final String maxRunDuration;
  private final JobMetrics metrics;
  private final Progress progress;

  /** What the run report shows: told of every stage, attempt and state change. */
  private final RunRecorder recorder;

  /** What stages take over from earlier sessions of a resumed run, by stage id. */
  private final Map<Integer, RunResume.StageReuse> reuse;

  private final Map<Integer, StageRun> runs = new HashMap<>();
  private final List<StageRun> ordered = new ArrayList<>();

  /** The attempts whose manifest was read: each counts once. */
  private final Set<TaskId> seenManifests = new HashSet<>();

  private BatchJob job;
  private volatile boolean cancelled;
  private int retries;
  private int reusedTasks;
  private long taskMillis;
  private long lastChangeNanos;
  private long lastStallLineNanos;
  private long lastHeartbeatNanos;

  JobDriver(
      StagePlan plan,
      BlobStore store,
      BatchService batch,
      JobSpec spec,
      int maxTaskRetries,
      String maxRunDuration,
      JobMetrics metrics,
      Progress progress,
      RunRecorder recorder,
      Map<Integer, RunResume.StageReuse> reuse) {
    this.plan = plan;
    this.reuse = Map.copyOf(reuse);
    this.store = store;
    this.batch = batch;
    this.layout = new JobLayout(spec.jobId());
    this.spec = spec;
    this.maxTaskRetries = maxTaskRetries;
    this.maxRunDuration = maxRunDuration;
    this.metrics = metrics;
    this.progress = progress;
    this.recorder = recorder;
    for (StagePlan.Stage stage : plan.stages()) {
      StageRun run = new StageRun(stage, ordered.size());
      runs.put(stage.id(), run);
      ordered.add(run);
    }
  }

  /** Stops the job's tasks and ends the job, if {@link #run} created it. */
  void terminateJob() throws IOException {
    if (job != null) {
      job.terminate();
    }
  }

  void cancel() {
    cancelled = true;
  }

  boolean isCancelled() {
    return cancelled;
  }

  /**
   * Creates the job, then runs every stage to completion; throws the first task failure that
   * exhausts its retries.
   */
  void run() throws Exception {
    long started = System.nanoTime();
    job = batch.createJob(spec);
    int done = 0;
    while (done < ordered.size()) {
      if (cancelled) {
        return;
      }
      checkDeadline();
      startReadyStages();
      done = (int) ordered.stream().filter(r -> r.status == StageRun.Status.DONE).count();
      if (done == ordered.size()) {
        break;
      }
      List<TaskEvent> events = job.pollTaskEvents(Duration.ofMillis(200));
      for (TaskEvent event : events) {
        handle(event);
      }
      stallWatch(!events.isEmpty());
      heartbeat();
      for (StageRun run : ordered) {
        if (run.status == StageRun.Status.RUNNING) {
          progress.stage(run.progressCounts(), false);
        }
      }
    }
    progress.summary(
        String.format(
            Locale.ROOT,
            "done: %d stages, %d tasks%s, %d retries, wall %.1fs, task time %.1fs",
            ordered.size(),
            ordered.stream().mapToInt(StageRun::taskCount).sum(),
            reusedTasks == 0 ? "" : " (" + reusedTasks + " reused from earlier sessions)",
            retries,
            (System.nanoTime() - started) / 1e9,
            taskMillis / 1e3));
  }

  /**
   * Says what the run waits for when no task has changed for a while, so that a slow pool or a long
   * task never looks like a hang.
   */
  private void stallWatch(boolean changed) {
    long now = System.nanoTime();
    if (changed || lastChangeNanos == 0) {
      lastChangeNanos = now;
      return;
    }
    if (now - lastChangeNanos < STALL_LINE_EVERY.toNanos()
        || now - lastStallLineNanos < STALL_LINE_EVERY.toNanos()) {
      return;
    }
    lastStallLineNanos = now;
    StringBuilder open = new StringBuilder();
    for (StageRun run : ordered) {
      if (run.status == StageRun.Status.RUNNING) {
        open.append(open.length() == 0 ? "" : "; ")
            .append("stage '")
            .append(run.name())
            .append("' ")
            .append(run.counts());
      }
    }
    LOG.info(
        "No task changed state for {} s; waiting for {} (job {})",
        (now - lastChangeNanos) / 1_000_000_000L,
        open,
        spec.jobId());
  }

  /** Says in the store that this driver is alive, so that no resume runs beside it. */
  private void heartbeat() {
    long now = System.nanoTime();
    if (lastHeartbeatNanos != 0 && now - lastHeartbeatNanos < RunResume.HEARTBEAT_EVERY.toNanos()) {
      return;
    }
    lastHeartbeatNanos = now;
    try {
      RunResume.heartbeat(store, spec.jobId(), spec.session());
    } catch (IOException e) {
      LOG.warn("Could not write the heartbeat of job {}: {}", spec.jobId(), e.toString());
    }
  }

  /** Ends a run that outlived {@code --maxRunDuration}, naming what it was still doing. */
  private void checkDeadline() {
    if (Instant.now().isBefore(spec.deadline())) {
      return;
    }
    StringBuilder open = new StringBuilder();
    for (StageRun run : ordered) {
      if (run.status != StageRun.Status.DONE) {
        open.append(open.length() == 0 ? "" : "; ")
            .append("stage '")
            .append(run.name())
            .append("' ")
            .append(run.status == StageRun.Status.WAITING ? "not started" : run.counts());
      }
    }
    throw new IllegalStateException(
        "The run took longer than --maxRunDuration="
            + maxRunDuration
            + " and was stopped; still to do: "
            + open
            + ". Give a longer --maxRunDuration if the pools need more time.");
  }

  private void startReadyStages() throws IOException {
    for (StageRun run : ordered) {
      if (run.status != StageRun.Status.WAITING || !dependenciesDone(run)) {
        continue;
      }
      run.status = StageRun.Status.RUNNING;
      run.startedNanos = System.nanoTime();
      recorder.stageStarted(run.stage.id());
      RunResume.StageReuse reused = reuse.get(run.stage.id());
      List<TaskManifest> toContinue = reused == null ? List.of() : takeOver(run, reused);
      if (reused != null && reused.committed()) {
        run.status = StageRun.Status.DONE;
        run.endedNanos = System.nanoTime();
        recorder.stageDone(run.stage.id(), run.taskCount(), run.reused);
        progress.stage(run.progressCounts(), true);
        continue;
      }
      List<TaskSpec> tasks = new ArrayList<>();
      for (int t = 0; t < run.taskCount(); t++) {
        if (run.accepted.get(t) == null) {
          TaskId id = new TaskId(run.stage.id(), t, run.attempts.get(t));
          tasks.add(taskSpec(run, id));
          recorder.attemptAdded(id, RunRecorder.Cause.FIRST);
        }
      }
      if (!tasks.isEmpty()) {
        job.addTasks(tasks);
      }
      for (TaskManifest manifest : toContinue) {
        continueFrom(run, manifest);
      }
      if (run.allAccepted()) {
        commit(run);
        continue;
      }
      progress.stage(run.progressCounts(), true);
    }
  }

  /**
   * Takes over what earlier sessions of a resumed run accepted for the stage: its tasks' accepted
   * attempts (their metrics count again, as this run's result reports the whole pipeline) and the
   * attempt numbers they used, which stay used. Returns the manifests whose residuals have no
   * continuation task yet.
   */
  private List<TaskManifest> takeOver(StageRun run, RunResume.StageReuse reused) {
    while (run.taskCount() < reused.accepted().size()) {
      run.addTask();
    }
    for (int t = 0; t < reused.accepted().size(); t++) {
      run.attempts.set(t, reused.nextAttempt().get(t));
      CommittedTask accepted = reused.accepted().get(t);
      if (accepted != null) {
        run.accepted.set(t, accepted);
        run.succeeded++;
        run.reused++;
      }
    }
    run.acceptedMetrics.updateAll(reused.metrics());
    metrics.accepted(reused.metrics());
    reusedTasks += run.reused;
    return reused.committed() ? List.of() : reused.toContinue();
  }

  private boolean dependenciesDone(StageRun run) {
    for (int dep : run.stage.dependsOn()) {
      if (runs.get(dep).status != StageRun.Status.DONE) {
        return false;
      }
    }
    return true;
  }

  private TaskSpec taskSpec(StageRun run, TaskId id) throws IOException {
    List<String> outputs = run.stage.spec().attemptWrites(layout.attempt(id));
    return new TaskSpec(
        id.toString(),
        "stage '" + run.name() + "' task " + id.task() + " attempt " + id.attempt(),
        TaskMain.class.getName(),
        TaskMain.arguments(store.location(), spec.jobId(), id),
        store.taskAccess(spec.jobId(), outputs, spec.grantValidity()));
  }

  private void handle(TaskEvent event) throws Exception {
    if (cancelled) {
      return; // a stopped run's tasks end as terminated: nothing to retry or accept
    }
    TaskId id = TaskId.parse(event.taskId()).orElse(null);
    if (id == null || !runs.containsKey(id.stage())) {
      LOG.warn("Ignoring event for unknown task {}", event.taskId());
      return;
    }
    StageRun run = runs.get(id.stage());
    int task = id.task();
    int attempt = id.attempt();
    recorder.taskEvent(id, event);
    if (event.state() == TaskEvent.State.RUNNING) {
      if (run.accepted.get(task) == null) {
        run.running.set(task, true);
      }
      return;
    }
    run.running.set(task, false);
    List<TaskManifest> manifests = event.succeeded() ? newManifests(id) : List.of();
    for (TaskManifest manifest : manifests) {
      taskMillis += manifest.millis();
      recorder.manifest(manifest, id, run.accepted.get(task) == null);
      if (run.accepted.get(task) == null) {
        run.accept(task, manifest);
        metrics.accepted(manifest.metrics());
        if (!manifest.residuals().isEmpty()) {
          continueFrom(run, manifest);
        }
        if (run.allAccepted()) {
          commit(run);
        }
      } else {
        metrics.notAccepted(manifest.metrics()); // a duplicate execution: never read
      }
    }
    if (!manifests.isEmpty()) {
      return;
    }
    if (run.accepted.get(task) != null || attempt < run.attempts.get(task)) {
      return; // a stale attempt; the task is already done or retried
    }
    run.failedAttempts++;
    if (event.nodeLost()) {
      int losses = run.nodeLosses.get(task) + 1;
      run.nodeLosses.set(task, losses);
      if (losses > MAX_NODE_LOSSES) {
        throw failure(run, id, event, "it lost its node " + losses + " times");
      }
      LOG.info(
          "Task {} of stage '{}' lost its node ({}); running it again as attempt {} (a lost node"
              + " is not one of the task's retries)",
          task,
          run.name(),
          event.failureInfo(),
          attempt + 1);
    } else {
      int failures = run.failures.get(task) + 1;
      run.failures.set(task, failures);
      if (failures > maxTaskRetries) {
        throw failure(run, id, event, null);
      }
      retries++;
      LOG.info("Retrying task {} of stage '{}' (attempt {} failed)", task, run.name(), attempt);
    }
    run.attempts.set(task, attempt + 1);
    job.addTasks(List.of(taskSpec(run, id.retry())));
    recorder.attemptAdded(
        id.retry(), event.nodeLost() ? RunRecorder.Cause.NODE_LOST : RunRecorder.Cause.RETRY);
  }

  /**
   * The manifest of this attempt if it has one not seen before. A second execution of the same
   * attempt cannot write another (objects are write-once), so each attempt counts at most once.
   */
  private List<TaskManifest> newManifests(TaskId id) throws IOException {
    String key = layout.attempt(id).manifest();
    if (seenManifests.contains(id) || !store.exists(key)) {
      return List.of();
    }
    seenManifests.add(id);
    return List.of(JobObjects.read(store, key, TaskManifest.class));
  }

  /**
   * Adds a continuation task for the residual restrictions of an accepted attempt: its outputs are
   * committed, so its bundle finalizers have run, and the rest of the work is now a task of its
   * own. Its input is written before the task is added, so it is there when the task runs.
   */
  private void continueFrom(StageRun run, TaskManifest manifest) throws IOException {
    int task = run.addTask();
    JobObjects.write(
        store,
        layout.continuation(run.stage.id(), task),
        new Continuation(manifest.task(), manifest.residuals()));
    LOG.debug(
        "Stage '{}': task {} continues the residual restrictions of task {}",
        run.name(),
        task,
        manifest.task());
    job.addTasks(List.of(taskSpec(run, TaskId.first(run.stage.id(), task))));
    recorder.attemptAdded(TaskId.first(run.stage.id(), task), RunRecorder.Cause.CONTINUATION);
  }

  /**
   * @param why what ended the task's attempts when it is not its own failure, else null
   */
  private TaskFailedException failure(StageRun run, TaskId id, TaskEvent event, String why)
      throws IOException {
    String failureKey = layout.attempt(id).failure();
    Throwable cause =
        store.exists(failureKey)
            ? JobObjects.read(store, failureKey, TaskFailure.class).toThrowable()
            : null;
    if (why != null) {
      cause =
          new IllegalStateException(
              "Task "
                  + id.task()
                  + " of stage '"
                  + run.name()
                  + "' was given up: "
                  + why
                  + " (last: "
                  + event.failureInfo()
                  + "). Nodes that keep dying under a task are often out of memory: give the"
                  + " nodes more (--nodeHeapMb, a larger vmSize) or the task less.",
              cause);
    } else if (cause == null) {
      cause =
          new IllegalStateException(
              event.failureInfo() != null
                  ? "Task did not complete: " + event.failureInfo()
                  : "Task exited with code " + event.exitCode() + " and wrote no manifest");
    }
    String tail;
    try {
      tail = job.taskLogTail(event.taskId(), LOG_TAIL_BYTES);
    } catch (IOException e) {
      tail = "(log unavailable: " + e.getMessage() + ")";
    }
    return new TaskFailedException(
        run.name(), id.task(), id.attempt() + 1, cause, job.taskLogLocation(event.taskId()), tail);
  }

  private void commit(StageRun run) throws IOException {
    JobObjects.write(
        store,
        layout.commitRecord(run.stage.id()),
        new CommitRecord(run.stage.id(), List.copyOf(run.accepted), run.acceptedMetrics));
    run.status = StageRun.Status.DONE;
    run.endedNanos = System.nanoTime();
    recorder.stageDone(run.stage.id(), run.taskCount(), run.reused);
    progress.stage(run.progressCounts(), true);
  }
}
