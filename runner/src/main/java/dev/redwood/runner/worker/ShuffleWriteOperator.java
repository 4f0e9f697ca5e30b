package dev.redwood.runner.worker;

import java.util.function.LongSupplier;

/**
 * The map side of a shuffle: owns the task's {@link ShuffleSink} for one shuffle, opened with the
 * bundle, finished (and named in the manifest) at its end, discarded on failure.
 */
abstract class ShuffleWriteOperator implements Operator {
  private final TaskContext context;
  private final ShuffleTarget target;
  private final boolean sorted;
  private final LongSupplier budget;
  protected ShuffleSink sink;

  /**
   * @param sorted whether records are sorted by key within each partition (grouping shuffles)
   */
  ShuffleWriteOperator(TaskContext context, ShuffleTarget target, boolean sorted) {
    this.context = context;
    this.target = target;
    this.sorted = sorted;
    this.budget = context.claimShuffleBuffer();
  }

  @Override
  public void start() throws Exception {
    sink = new ShuffleSink(context, target, sorted, budget.getAsLong());
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
