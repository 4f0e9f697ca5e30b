package dev.redwood.runner.driver;

import dev.redwood.runner.plan.StagePlan;
import dev.redwood.runner.plan.TaskManifest;

/** The driver's view of one stage while it runs: attempts and accepted manifest per task. */
final class StageRun {
  enum Status {
    WAITING,
    RUNNING,
    DONE
  }

  final StagePlan.Stage stage;
  final int index;
  final int[] attempts;
  final boolean[] running;
  final TaskManifest[] accepted;
  Status status = Status.WAITING;
  int succeeded;
  int failedAttempts;
  long startedNanos;
  long endedNanos;
  long lastPrinted;
  String lastCounts = "";

  StageRun(StagePlan.Stage stage, int index) {
    this.stage = stage;
    this.index = index;
    int tasks = stage.taskCount();
    this.attempts = new int[tasks];
    this.running = new boolean[tasks];
    this.accepted = new TaskManifest[tasks];
  }

  String name() {
    return stage.name();
  }

  int runningCount() {
    int n = 0;
    for (boolean r : running) {
      if (r) {
        n++;
      }
    }
    return n;
  }

  String counts() {
    return succeeded
        + "/"
        + accepted.length
        + " tasks succeeded, "
        + runningCount()
        + " running, "
        + failedAttempts
        + " failed";
  }

  double elapsedSeconds() {
    long end = endedNanos != 0 ? endedNanos : System.nanoTime();
    return startedNanos == 0 ? 0 : (end - startedNanos) / 1e9;
  }
}
