package dev.redwood.runner.options;

/**
 * How a run's plan is cut, from its options and the task slots of the nodes it runs on. Every
 * sizing rule of a run is here; the driver computes one per run.
 *
 * @param partitions reduce tasks per grouping shuffle
 * @param redistributePartitions reduce tasks per Reshuffle/Redistribute and fusion break, whose
 *     purpose is to spread work over every task slot
 * @param splitTarget splits per bounded source when {@code splitBytes} is 0
 * @param splitBytes target split size, or 0 to divide each source into {@code splitTarget}
 * @param shuffleBufferMb the memory a task's shuffle writers share before they spill
 */
public record PlanSizing(
    int partitions,
    int redistributePartitions,
    int splitTarget,
    long splitBytes,
    int shuffleBufferMb) {

  /** Task slots of an in-process node: its tasks are threads that often wait (sleeps, sinks). */
  private static final int IN_PROCESS_SLOTS_PER_NODE = 16;

  /** Cores an in-process node's tasks keep busy: the nodes share this JVM's cores. */
  private static final int IN_PROCESS_PARALLELISM_PER_NODE = 2;

  /**
   * Task slots of one local node: the option, else {@value #IN_PROCESS_SLOTS_PER_NODE} for
   * in-process nodes and one for a node JVM (with the default two nodes, one task per core).
   */
  public static int localSlotsPerNode(AzureBatchPipelineOptions options, boolean inProcess) {
    if (options.getTaskSlotsPerNode() != null) {
      return options.getTaskSlotsPerNode();
    }
    return inProcess ? IN_PROCESS_SLOTS_PER_NODE : 1;
  }

  /** The sizing on local nodes, in-process or node JVMs. */
  public static PlanSizing localNodes(AzureBatchPipelineOptions options, boolean inProcess) {
    int nodes = options.getLocalNodes();
    int slots = localSlotsPerNode(options, inProcess);
    int parallelism = nodes * (inProcess ? IN_PROCESS_PARALLELISM_PER_NODE : slots);
    return of(options, nodes * slots, parallelism);
  }

  /** The sizing on Batch pools of {@code poolSlots} task slots in all, a core per slot. */
  public static PlanSizing pools(AzureBatchPipelineOptions options, int poolSlots) {
    int slots = Math.max(1, poolSlots);
    return of(options, slots, slots);
  }

  /**
   * @param taskSlots tasks that can run at once
   * @param parallelism tasks that run at once and use a core each: what sizes the data
   */
  private static PlanSizing of(AzureBatchPipelineOptions options, int taskSlots, int parallelism) {
    int partitions =
        options.getShufflePartitions() > 0 ? options.getShufflePartitions() : 2 * parallelism;
    return new PlanSizing(
        partitions,
        Math.max(partitions, taskSlots),
        4 * parallelism,
        options.getSplitSizeMb() * 1024 * 1024,
        options.getShuffleBufferMb());
  }
}
