package dev.redwood.runner.driver;

import dev.redwood.runner.plan.CommittedTask;
import dev.redwood.runner.plan.TaskManifest;
import dev.redwood.runner.translation.StagePlan;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;

/**
 * The driver's view of one stage while it runs: attempts and accepted attempt per task. A stage
 * starts with one task per split or partition; continuation tasks (residual restrictions of a
 * splittable DoFn) are added while it runs. Per task it keeps only what the commit record needs
 * ({@link CommittedTask}); the accepted attempts' metrics are summed as they arrive, so a stage of
 * tens of thousands of tasks does not hold a metrics container per task.
 */
final class StageRun {
  enum Status {
    WAITING,
    RUNNING,
    DONE
  }

  final StagePlan.Stage stage;
  final int index;

  /** The attempt number each task is at. */
  final List<Integer> attempts = new ArrayList<>();

  /** Attempts of each task that failed by themselves: what {@code --maxTaskRetries} bounds. */
  final List<Integer> failures = new ArrayList<>();

  /** Attempts of each task that ended with their node: free, up to a bound. */
  final List<Integer> nodeLosses = new ArrayList<>();

  final List<Boolean> running = new ArrayList<>();
  final List<CommittedTask> accepted = new ArrayList<>();

  /** The sum of the accepted attempts' metrics, for the commit record. */
  final MetricsContainerStepMap acceptedMetrics = new MetricsContainerStepMap();

  Status status = Status.WAITING;
  int succeeded;

  /** Tasks whose accepted attempt an earlier session of a resumed run ran. */
  int reused;

  int failedAttempts;
  long startedNanos;
  long endedNanos;

  StageRun(StagePlan.Stage stage, int index) {
    this.stage = stage;
    this.index = index;
    for (int t = 0; t < stage.taskCount(); t++) {
      addTask();
    }
  }

  /** Adds a task; returns its index. */
  int addTask() {
    attempts.add(0);
    failures.add(0);
    nodeLosses.add(0);
    running.add(false);
    accepted.add(null);
    return accepted.size() - 1;
  }

  /** Accepts {@code manifest} as the attempt of {@code task} (the caller checked none was). */
  void accept(int task, TaskManifest manifest) {
    accepted.set(task, CommittedTask.of(manifest));
    acceptedMetrics.updateAll(manifest.metrics());
    succeeded++;
  }

  int taskCount() {
    return accepted.size();
  }

  boolean allAccepted() {
    return succeeded == accepted.size();
  }

  String name() {
    return stage.name();
  }

  int runningCount() {
    return (int) running.stream().filter(r -> r).count();
  }

  String counts() {
    return succeeded
        + "/"
        + accepted.size()
        + " tasks succeeded"
        + (reused == 0 ? "" : " (" + reused + " reused)")
        + ", "
        + runningCount()
        + " running, "
        + failedAttempts
        + " failed";
  }

  /** What the stage's progress line shows. */
  Progress.StageLine progressCounts() {
    return new Progress.StageLine(
        index,
        name(),
        succeeded,
        taskCount(),
        reused,
        runningCount(),
        failedAttempts,
        startedNanos,
        endedNanos);
  }
}
