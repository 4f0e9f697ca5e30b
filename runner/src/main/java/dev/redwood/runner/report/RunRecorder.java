package dev.redwood.runner.report;

import dev.redwood.runner.batch.TaskEvent;
import dev.redwood.runner.plan.TaskId;
import dev.redwood.runner.plan.TaskManifest;
import dev.redwood.runner.translation.StagePlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.beam.sdk.metrics.MetricResults;

/**
 * What a run report shows, recorded as the run goes: the driver tells it when stages start and end,
 * when it adds a task attempt and why, each task state change and each manifest; the launcher tells
 * it how the run ended. The report page and the live server read {@link #snapshot()} at any time
 * from other threads, so every method is synchronized and the snapshot is a copy.
 */
public final class RunRecorder {

  /** Why the driver added an attempt. */
  public enum Cause {
    /** A task's first attempt in this session. */
    FIRST,
    /** The previous attempt failed by itself. */
    RETRY,
    /** The previous attempt's node was lost (preempted, died, became unusable). */
    NODE_LOST,
    /** A continuation task for the residual restrictions of an accepted attempt. */
    CONTINUATION
  }

  /** How an attempt ended, as far as the driver knows. */
  public enum AttemptOutcome {
    QUEUED,
    RUNNING,
    /** Succeeded and its manifest was accepted. */
    ACCEPTED,
    /** Succeeded but another attempt of the task was accepted: its outputs are never read. */
    DUPLICATE,
    FAILED,
    NODE_LOST,
    /** Still open when the run ended (stopped, or the run failed elsewhere). */
    STOPPED
  }

  private final LongSupplier clock;
  private final long startedMillis;
  private String jobId = "";
  private String backend = "";
  private Map<String, String> poolVmSizes = Map.of();
  private Supplier<MetricResults> metrics = () -> null;
  private final Map<Integer, StageEntry> stages = new LinkedHashMap<>();
  private final Map<String, AttemptEntry> attempts = new LinkedHashMap<>();
  private String state = "RUNNING";
  private String failure;
  private String failureLogs;
  private long endedMillis;

  /**
   * @param clock wall-clock milliseconds (epoch), so that the report can show times of day
   */
  public RunRecorder(LongSupplier clock) {
    this.clock = clock;
    this.startedMillis = clock.getAsLong();
  }

  public RunRecorder() {
    this(System::currentTimeMillis);
  }

  /** A stage as planned: what the DAG draws. */
  public record PlannedStage(int id, String name, int tasks, List<Integer> dependsOn) {}

  /**
   * The run's plan and where it runs.
   *
   * @param poolVmSizes pool id to VM size, for node-hour costs; empty for local nodes
   * @param metrics the job's metrics as its {@code PipelineResult} reports them
   */
  public void planned(
      String jobId,
      String backend,
      StagePlan plan,
      Map<String, String> poolVmSizes,
      Supplier<MetricResults> metrics) {
    List<PlannedStage> planned = new ArrayList<>();
    for (StagePlan.Stage stage : plan.stages()) {
      planned.add(
          new PlannedStage(
              stage.id(), stage.name(), stage.taskCount(), List.copyOf(stage.dependsOn())));
    }
    planned(jobId, backend, planned, poolVmSizes, metrics);
  }

  /** {@link #planned(String, String, StagePlan, Map, Supplier)} with the plan's stages. */
  public synchronized void planned(
      String jobId,
      String backend,
      List<PlannedStage> plan,
      Map<String, String> poolVmSizes,
      Supplier<MetricResults> metrics) {
    this.jobId = jobId;
    this.backend = backend;
    this.poolVmSizes = Map.copyOf(poolVmSizes);
    this.metrics = metrics;
    for (PlannedStage stage : plan) {
      stages.put(
          stage.id(),
          new StageEntry(stage.id(), stage.name(), stage.tasks(), List.copyOf(stage.dependsOn())));
    }
  }

  public synchronized void stageStarted(int stage) {
    StageEntry entry = stages.get(stage);
    if (entry != null && entry.startedMillis == 0) {
      entry.startedMillis = clock.getAsLong();
    }
  }

  public synchronized void stageDone(int stage, int tasks, int reused) {
    StageEntry entry = stages.get(stage);
    if (entry != null) {
      entry.endedMillis = clock.getAsLong();
      entry.tasks = tasks;
      entry.reused = reused;
    }
  }

  /** The driver queued an attempt. */
  public synchronized void attemptAdded(TaskId id, Cause cause) {
    AttemptEntry attempt = new AttemptEntry(id, cause, clock.getAsLong());
    attempts.put(id.toString(), attempt);
    StageEntry stage = stages.get(id.stage());
    if (stage != null && id.task() >= stage.tasks) {
      stage.tasks = id.task() + 1;
    }
  }

  /** A state change of an attempt the Batch service reported. */
  public synchronized void taskEvent(TaskId id, TaskEvent event) {
    AttemptEntry attempt = attempts.get(id.toString());
    if (attempt == null) {
      return; // not added in this session (a resumed run's earlier attempts)
    }
    long now = clock.getAsLong();
    if (event.nodeId() != null) {
      if (attempt.node != null && !attempt.node.equals(event.nodeId())) {
        // Batch requeued the attempt onto another node (its node was preempted or lost): the
        // service says so only by where the attempt ends.
        attempt.movedFrom = attempt.node;
      }
      attempt.node = event.nodeId();
    }
    if (event.poolId() != null) {
      attempt.pool = event.poolId();
    }
    if (event.state() == TaskEvent.State.RUNNING) {
      if (attempt.startedMillis == 0) {
        attempt.startedMillis = now;
      }
      if (attempt.outcome == AttemptOutcome.QUEUED) {
        attempt.outcome = AttemptOutcome.RUNNING;
      }
      return;
    }
    attempt.endedMillis = now;
    if (attempt.startedMillis == 0) {
      // The service reported the end before the driver saw the start: it ran between polls.
      attempt.startedMillis = Math.max(attempt.addedMillis, now - 1);
    }
    if (event.succeeded()) {
      attempt.outcome = AttemptOutcome.DUPLICATE; // until its manifest is accepted
    } else {
      attempt.outcome = event.nodeLost() ? AttemptOutcome.NODE_LOST : AttemptOutcome.FAILED;
      attempt.failure = ReportText.withoutQueries(event.failureInfo());
    }
  }

  /** A manifest the driver read; {@code accepted} when it is the task's accepted attempt. */
  public synchronized void manifest(TaskManifest manifest, TaskId id, boolean accepted) {
    AttemptEntry attempt = attempts.get(id.toString());
    if (attempt != null) {
      attempt.outcome = accepted ? AttemptOutcome.ACCEPTED : AttemptOutcome.DUPLICATE;
      attempt.workMillis = manifest.millis();
      attempt.acceptedMillis = accepted ? clock.getAsLong() : 0;
    }
    StageEntry stage = stages.get(manifest.stage());
    if (stage != null && accepted) {
      stage.acceptedMillis.add(manifest.millis());
      stage.recordsIn += manifest.recordsIn();
      stage.shuffleRecordsOut += manifest.shuffleRecordsOut();
      stage.shuffleBytesOut += manifest.shuffleBytesOut();
    }
  }

  /**
   * How the run ended.
   *
   * @param failureMessage the failure as the user sees it, or null
   * @param logLocation where the failed task's logs are kept, or null
   */
  public synchronized void finished(String endState, String failureMessage, String logLocation) {
    state = endState;
    failure = ReportText.withoutQueries(failureMessage);
    failureLogs = ReportText.withoutQueries(logLocation);
    endedMillis = clock.getAsLong();
    for (AttemptEntry attempt : attempts.values()) {
      if (attempt.outcome == AttemptOutcome.QUEUED || attempt.outcome == AttemptOutcome.RUNNING) {
        attempt.outcome = AttemptOutcome.STOPPED;
        if (attempt.startedMillis != 0) {
          attempt.endedMillis = endedMillis;
        }
      }
    }
  }

  public synchronized boolean isFinished() {
    return endedMillis != 0;
  }

  /** A copy of everything recorded so far. */
  public RunSnapshot snapshot() {
    Supplier<MetricResults> source;
    synchronized (this) {
      source = metrics;
    }
    // Metrics are gathered outside the lock: the driver's calls need not wait for them.
    MetricResults results;
    try {
      results = source.get();
    } catch (RuntimeException e) {
      results = null; // a report without metrics beats no report
    }
    return snapshot(results);
  }

  private synchronized RunSnapshot snapshot(MetricResults results) {
    long now = endedMillis != 0 ? endedMillis : clock.getAsLong();
    List<RunSnapshot.StageView> stageViews = new ArrayList<>();
    for (StageEntry s : stages.values()) {
      stageViews.add(
          new RunSnapshot.StageView(
              s.id,
              s.name,
              s.tasks,
              s.reused,
              s.dependsOn,
              s.startedMillis,
              s.endedMillis,
              List.copyOf(s.acceptedMillis),
              s.recordsIn,
              s.shuffleRecordsOut,
              s.shuffleBytesOut));
    }
    List<RunSnapshot.AttemptView> attemptViews = new ArrayList<>();
    for (AttemptEntry a : attempts.values()) {
      attemptViews.add(
          new RunSnapshot.AttemptView(
              a.id.stage(),
              a.id.task(),
              a.id.attempt(),
              a.cause,
              a.outcome,
              a.pool,
              a.node,
              a.addedMillis,
              a.startedMillis,
              a.endedMillis,
              a.workMillis,
              a.acceptedMillis,
              a.failure,
              a.movedFrom));
    }
    return new RunSnapshot(
        jobId,
        backend,
        state,
        startedMillis,
        now,
        endedMillis != 0,
        failure,
        failureLogs,
        stageViews,
        attemptViews,
        new HashMap<>(poolVmSizes),
        RunSnapshot.MetricRow.of(results));
  }

  private static final class StageEntry {
    final int id;
    final String name;
    final List<Integer> dependsOn;
    final List<Long> acceptedMillis = new ArrayList<>();
    int tasks;
    int reused;
    long startedMillis;
    long endedMillis;
    long recordsIn;
    long shuffleRecordsOut;
    long shuffleBytesOut;

    StageEntry(int id, String name, int tasks, List<Integer> dependsOn) {
      this.id = id;
      this.name = name;
      this.tasks = tasks;
      this.dependsOn = dependsOn;
    }
  }

  private static final class AttemptEntry {
    final TaskId id;
    final Cause cause;
    final long addedMillis;
    AttemptOutcome outcome = AttemptOutcome.QUEUED;
    String pool;
    String node;
    long startedMillis;
    long endedMillis;
    long workMillis = -1;
    long acceptedMillis;
    String failure;
    String movedFrom;

    AttemptEntry(TaskId id, Cause cause, long addedMillis) {
      this.id = id;
      this.cause = cause;
      this.addedMillis = addedMillis;
    }
  }
}
