package dev.redwood.runner.batch;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The Batch API as the driver uses it: one job per pipeline run, tasks added to it, task state
 * changes polled, logs of failed tasks fetched, the job terminated at the end.
 *
 * <p>Two implementations sit behind this seam: worker JVMs on this machine acting as nodes
 * ({@link LocalBatchService}) and Azure Batch. Nothing above the seam knows which one runs.
 */
public interface BatchService extends AutoCloseable {

  /**
   * Creates the job (and leases the pools or starts the nodes it runs on). Every node downloads
   * the job's classpath once before its first task of the job.
   */
  void createJob(JobSpec job) throws IOException;

  /** Queues tasks on the job; they start as task slots free up, in the order given. */
  void addTasks(String jobId, List<TaskSpec> tasks) throws IOException;

  /**
   * Returns the task state changes since the previous call (tasks that started running and
   * tasks that completed), waiting up to {@code maxWait} for at least one.
   */
  List<TaskEvent> pollTaskEvents(String jobId, Duration maxWait)
      throws IOException, InterruptedException;

  /** The last {@code maxBytes} of the task's stderr.txt then stdout.txt, for error messages. */
  String taskLogTail(String jobId, String taskId, int maxBytes) throws IOException;

  /** Stops the job's running tasks and ends the job. Idempotent; safe after a failure. */
  void terminateJob(String jobId) throws IOException;

  /** Task slots over all pools: how many tasks can run at once. */
  int totalTaskSlots();

  /** Releases what this service leased (local: stops every node process). Idempotent. */
  @Override
  void close() throws IOException;
}
