package dev.redwood.runner.batch;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * A job that {@link BatchService#createJob} created: the driver adds its tasks, polls their state
 * changes, reads the logs of failed ones and terminates it at the end.
 */
public interface BatchJob {

  /** The job's id, as created. */
  String jobId();

  /** Queues tasks on the job; they start as task slots free up, in the order given. */
  void addTasks(List<TaskSpec> tasks) throws IOException;

  /**
   * Returns the task state changes since the previous call (tasks that started running and tasks
   * that completed), waiting up to {@code maxWait} for at least one.
   */
  List<TaskEvent> pollTaskEvents(Duration maxWait) throws IOException, InterruptedException;

  /** The last {@code maxBytes} of the task's stderr.txt then stdout.txt, for error messages. */
  String taskLogTail(String taskId, int maxBytes) throws IOException;

  /**
   * Where the task's logs are kept beyond the job and how to fetch them (no credentials), for error
   * messages; null when they are kept nowhere else than on the node.
   */
  default String taskLogLocation(String taskId) {
    return null;
  }

  /** Stops the job's running tasks and ends the job. Idempotent; safe after a failure. */
  void terminate() throws IOException;
}
