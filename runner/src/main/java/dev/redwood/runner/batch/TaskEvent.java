package dev.redwood.runner.batch;

/**
 * A task's state change as the Batch service reports it.
 *
 * @param state RUNNING or COMPLETED
 * @param exitCode for COMPLETED: the exit code (0 = success); -1 when the task never ran to an exit
 *     (node lost, terminated)
 * @param failureInfo for a COMPLETED task that failed without an exit code: why; else null
 * @param nodeId the node the task ran on
 * @param nodeLost for a COMPLETED task: it ended because its node was lost (the node's process
 *     died, the node was preempted or became unusable), not because of what it ran. Batch does not
 *     count such an end as one of the task's retries, and neither does the driver.
 * @param poolId the pool of the node, when the service knows it (for run reports); else null
 */
public record TaskEvent(
    String taskId,
    State state,
    int exitCode,
    String failureInfo,
    String nodeId,
    boolean nodeLost,
    String poolId) {
  public enum State {
    RUNNING,
    COMPLETED
  }

  public TaskEvent(String taskId, State state, int exitCode, String failureInfo, String nodeId) {
    this(taskId, state, exitCode, failureInfo, nodeId, false, null);
  }

  public TaskEvent(
      String taskId,
      State state,
      int exitCode,
      String failureInfo,
      String nodeId,
      boolean nodeLost) {
    this(taskId, state, exitCode, failureInfo, nodeId, nodeLost, null);
  }

  /** The same change, saying which pool the node belongs to. */
  public TaskEvent inPool(String pool) {
    return new TaskEvent(taskId, state, exitCode, failureInfo, nodeId, nodeLost, pool);
  }

  public boolean succeeded() {
    return state == State.COMPLETED && exitCode == 0;
  }
}
