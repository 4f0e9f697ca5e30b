package dev.redwood.runner.batch;

/**
 * A task's state change as the Batch service reports it.
 *
 * @param state RUNNING or COMPLETED
 * @param exitCode for COMPLETED: the exit code (0 = success); -1 when the task never ran to an exit
 *     (node lost, terminated)
 * @param failureInfo for a COMPLETED task that failed without an exit code: why; else null
 * @param nodeId the node the task ran on
 */
public record TaskEvent(
    String taskId, State state, int exitCode, String failureInfo, String nodeId) {
  public enum State {
    RUNNING,
    COMPLETED
  }

  public boolean succeeded() {
    return state == State.COMPLETED && exitCode == 0;
  }
}
