package dev.redwood.runner.worker;

/**
 * The map side of a shuffle: owns the task's {@link ShuffleSink} for one shuffle, opened with
 * the bundle, finished (and named in the manifest) at its end, discarded on failure.
 */
abstract class ShuffleWriteOperator implements Operator {
  private final TaskContext context;
  private final String shuffleId;
  private final int partitions;
  private final boolean sorted;
  private final long budget;
  protected ShuffleSink sink;

  ShuffleWriteOperator(
      TaskContext context, String shuffleId, int partitions, boolean sorted, long budget) {
    this.context = context;
    this.shuffleId = shuffleId;
    this.partitions = partitions;
    this.sorted = sorted;
    this.budget = budget;
  }

  @Override
  public void start() throws Exception {
    sink = new ShuffleSink(context, shuffleId, partitions, sorted, budget);
  }

  @Override
  public void finish() throws Exception {
    sink.finish();
  }

  @Override
  public void teardown() throws Exception {
    if (sink != null) {
      sink.close();
    }
  }
}
