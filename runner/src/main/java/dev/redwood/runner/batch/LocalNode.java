package dev.redwood.runner.batch;

import java.io.IOException;
import java.util.List;

/**
 * One node of the local pool: runs the tasks the service hands it, at most as many at once as it
 * has slots (the service counts the slots, the node just runs what it gets).
 *
 * <p>Two kinds: {@link ProcessNode}, whose tasks run in worker JVMs, and {@link InProcessNode}, a
 * thread pool in the driver's JVM for fast tests.
 */
interface LocalNode extends AutoCloseable {

  /** What a node reports about its tasks. Called from the node's own threads. */
  interface Listener {
    void taskStarted(String nodeId, String jobId, String taskId);

    /**
     * @param exitCode -1 when the task never ran to an exit
     * @param failureInfo why, when it did not; else null
     */
    void taskCompleted(
        String nodeId, String jobId, String taskId, int exitCode, String failureInfo);

    /** The task ended with its node's process, not by itself: it did not spend a retry. */
    void taskLost(String nodeId, String jobId, String taskId, String why);
  }

  LocalNodeLayout layout();

  default String nodeId() {
    return layout().nodeId();
  }

  /** Job preparation: makes the job's classpath available on the node. */
  void prepareJob(JobSpec job) throws IOException;

  /** Starts a task in the background; its start and completion go to the listener. */
  void startTask(TaskLaunch launch) throws IOException;

  /**
   * Stops the job's running tasks and waits (boundedly) until they are gone; their completions
   * still reach the listener. Afterwards the job is unknown to the node.
   */
  void terminateJob(String jobId);

  /** The worker processes the node runs now; empty for an in-process node. */
  List<ProcessHandle> processes();

  /** Stops everything the node runs and waits for it to end. */
  @Override
  void close();
}
