package dev.redwood.runner.driver;

import dev.redwood.runner.batch.BatchService;
import dev.redwood.runner.options.PlanSizing;
import dev.redwood.runner.storage.BlobStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a run executes: the blob store and Batch service of the chosen backend, and how much runs
 * at once there, which sizes source splits and shuffle partitions.
 *
 * @param sizing how the run's plan is cut for the backend's task slots
 * @param classpathStaging a scratch directory for jarring class directories, or null when the nodes
 *     share this JVM's classpath (in-process nodes)
 * @param batch opens the Batch service once the classpath is staged
 * @param description what progress lines call it ("2 local nodes x 1 slots")
 * @param remoteNodes whether tasks run on other machines, which must not receive the credentials in
 *     the pipeline options (see {@code NodeOptions})
 * @param jobIdPrefix first part of the run's id ({@code _JOB_ID} on Azure)
 * @param taskRetries how often the driver retries a failed task
 * @param poolVmSizes pool id to VM size, for the run report's node costs (empty for local nodes)
 */
record RunBackend(
    BlobStore store,
    PlanSizing sizing,
    Path classpathStaging,
    BatchFactory batch,
    String description,
    boolean remoteNodes,
    String jobIdPrefix,
    int taskRetries,
    Map<String, String> poolVmSizes) {

  /** Opens the Batch service of a run. */
  @FunctionalInterface
  interface BatchFactory {
    BatchService open() throws IOException;
  }

  boolean stagesClasspath() {
    return classpathStaging != null;
  }
}
