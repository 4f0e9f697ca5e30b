package dev.redwood.runner.batch;

import java.io.IOException;
import java.time.Duration;

/**
 * The Batch API as the driver uses it: one job per pipeline run, created here; its tasks are added,
 * polled and terminated through the {@link BatchJob} this returns.
 *
 * <p>Two implementations sit behind this seam: worker JVMs on this machine acting as nodes ({@link
 * LocalBatchService}) and Azure Batch. Nothing above the seam knows which one runs.
 */
public interface BatchService extends AutoCloseable {

  /**
   * Creates the job (and leases the pools or starts the nodes it runs on). Every node downloads the
   * job's classpath once before its first task of the job.
   */
  BatchJob createJob(JobSpec job) throws IOException;

  /** Task slots over all pools: how many tasks can run at once. */
  int totalTaskSlots();

  /** Releases what this service leased (local: stops every node process). Idempotent. */
  @Override
  void close() throws IOException;

  /**
   * {@link #close()} for a driver that is being stopped (Ctrl-C, SIGTERM): calls that fail are not
   * retried beyond {@code budget}. Safe while another thread still uses the service, and while
   * another thread closes it too.
   */
  default void closeWithin(Duration budget) throws IOException {
    close();
  }
}
