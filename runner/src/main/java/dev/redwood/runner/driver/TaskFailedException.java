package dev.redwood.runner.driver;

import org.apache.beam.sdk.Pipeline;

/**
 * A task failed for good. The cause is the exception the user's code threw (as Beam runners report
 * it); the message adds the stage, the task, the attempts, where the task's logs are kept (when
 * they outlive the job) and the tail of the task's log.
 */
public class TaskFailedException extends Pipeline.PipelineExecutionException {
  private final String message;
  private final String logLocation;

  public TaskFailedException(
      String stageName,
      int task,
      int attempts,
      Throwable userException,
      String logLocation,
      String logTail) {
    super(userException);
    this.logLocation = logLocation;
    this.message =
        "Stage '"
            + stageName
            + "' task "
            + task
            + " failed after "
            + attempts
            + (attempts == 1 ? " attempt: " : " attempts: ")
            + userException
            + (logLocation == null ? "" : "\n" + logLocation)
            + (logTail == null || logTail.isBlank() ? "" : "\n--- task log (tail) ---\n" + logTail);
  }

  /** Where the task's logs are kept beyond the job, or null (they stay on the node). */
  public String logLocation() {
    return logLocation;
  }

  @Override
  public String getMessage() {
    return message;
  }
}
