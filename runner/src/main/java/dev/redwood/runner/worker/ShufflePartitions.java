package dev.redwood.runner.worker;

import java.util.List;

/**
 * The input of a stage that reads a shuffle: task t reads partition t from the accepted map outputs
 * of every producer stage.
 *
 * @param read how the partition's records become elements
 */
public record ShufflePartitions(
    String shuffleId, int partitions, List<Integer> producerStages, ShuffleRead read)
    implements StageInput {

  @Override
  public int taskCount() {
    return partitions;
  }

  @Override
  public InputReader reader(TaskContext context) {
    return new ShufflePartitionReader(this, context, read.logic(context));
  }
}
