package dev.redwood.runner.config;

/**
 * One Batch pool a pipeline's tasks run on.
 *
 * @param poolId the pool's id in its account; an existing pool with this id is reused
 * @param account the {@link BatchAccount#name()} the pool lives in
 * @param vmSize e.g. {@code Standard_E2s_v3}
 * @param dedicatedNodes target dedicated nodes (ignored when {@code autoscaleFormula} is set)
 * @param spotNodes target spot (low-priority) nodes; preempted tasks are requeued by Batch
 * @param taskSlotsPerNode tasks one node runs at the same time
 * @param autoscaleFormula a Batch autoscale formula, or null for a fixed size
 * @param image the node OS image
 * @param containerImage a container image the tasks run in (it must provide Java 17), or null
 *     to run on the host (a start task then installs a Java runtime if the image has none)
 * @param interNodeCommunication whether the pool enables inter-node communication
 */
public record PoolConfig(
    String poolId,
    String account,
    String vmSize,
    int dedicatedNodes,
    int spotNodes,
    int taskSlotsPerNode,
    String autoscaleFormula,
    NodeImage image,
    String containerImage,
    boolean interNodeCommunication) {

  /** The pool's task slots at its target size: what the driver plans its spread with. */
  public int targetSlots() {
    return (dedicatedNodes + spotNodes) * taskSlotsPerNode;
  }
}
