package dev.redwood.runner.translation;

import dev.redwood.runner.translation.PipelineGraph.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * One kind of step Redwood runs, all of it in one class: which transforms it takes (by URN), how
 * the planner places its steps (fused into a stage, or a shuffle with its map and reduce sides),
 * and, in the specs it plans, which objects an attempt writes for it and how a task builds its
 * operator.
 *
 * <p>The permits clause is the registry: {@link OperationKinds} looks transforms up among the kinds
 * it lists (kinds that shuffle are listed by {@link ShuffleKind}), so a new kind is one class plus
 * its name there, and a class implementing this interface without being listed does not compile.
 */
sealed interface OperationKind
    permits AssignWindowsKind,
        ExecutableStageKind,
        CreateViewKind,
        FlattenKind,
        ImpulseKind,
        ParDoKind,
        ReadKind,
        ShuffleKind {

  /** The URNs of the transforms this kind runs. */
  Set<String> urns();

  /**
   * Whether the transforms of {@link #urns} are composites this kind runs whole, so their parts are
   * not visited; otherwise they are primitives.
   */
  default boolean runsComposites() {
    return false;
  }

  /**
   * Whether this kind runs {@code transform}, whose URN is one of {@link #urns}. Kinds that share a
   * URN each take a disjoint part of its transforms.
   */
  default boolean runs(AppliedPTransform<?, ?, ?> transform) {
    return true;
  }

  /** The PCollections a step of this kind processes, each element once. */
  default List<PCollection<?>> mainInputs(AppliedPTransform<?, ?, ?> transform) {
    return new ArrayList<>(transform.getMainInputs().values());
  }

  /** The side-input views a step of this kind reads. */
  default List<PCollectionView<?>> sideInputs(AppliedPTransform<?, ?, ?> transform) {
    return List.of();
  }

  /** The view a step of this kind materializes, or null. */
  default PCollectionView<?> materializes(AppliedPTransform<?, ?, ?> transform) {
    return null;
  }

  /** Places {@code step} where the planner reached it (see {@link Placement}). */
  void place(Step step, Placement at);
}
