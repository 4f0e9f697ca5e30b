package dev.redwood.runner.translation;

import dev.redwood.runner.translation.PipelineGraph.Step;
import dev.redwood.runner.worker.OperationSpec;
import dev.redwood.runner.worker.ShuffleRead;
import dev.redwood.runner.worker.ShuffleTarget;

/**
 * The two sides of a shuffle that ends a stage before a step: the operator every producing stage
 * writes it with, how the tasks of the stage that reads it turn a partition back into elements, and
 * how the step goes on in that stage.
 */
interface ShuffleBoundary {

  /**
   * Whether the shuffle only spreads work (Reshuffle, a fusion break), so it gets a partition per
   * task slot rather than the job's grouping partition count.
   */
  default boolean spreadsWork() {
    return false;
  }

  /** The operator a producing stage writes the shuffle with. */
  OperationSpec mapSide(Step step, ShuffleTarget target);

  /** How the reading stage's tasks turn their partition back into elements. */
  ShuffleRead reduceSide(Step step);

  /** Places {@code step} in the stage that reads the shuffle. */
  void placeAfter(Step step, Placement reading);
}
