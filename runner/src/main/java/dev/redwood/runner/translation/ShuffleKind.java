package dev.redwood.runner.translation;

import dev.redwood.runner.translation.PipelineGraph.Step;

/**
 * A kind whose steps end the stages of their input at a shuffle: it plans both sides of the shuffle
 * (see {@link ShuffleBoundary}), and the step goes on in the stage that reads it. Like {@link
 * OperationKind}'s, its permits clause is the registry.
 */
sealed interface ShuffleKind extends OperationKind, ShuffleBoundary
    permits GroupByKeyKind, LiftedCombineKind, RedistributeKind, StatefulParDoKind {

  @Override
  default void place(Step step, Placement at) {
    at.shuffle(this);
  }
}
