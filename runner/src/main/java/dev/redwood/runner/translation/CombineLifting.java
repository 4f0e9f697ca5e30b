package dev.redwood.runner.translation;

import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Decides when a Combine.perKey runs as partial combine (map side) plus merge (reduce side) instead
 * of GroupByKey plus combine: Beam's rules for lifting. The CombineFn must be a plain CombineFn (no
 * context, no side inputs), windows must not merge, the trigger must be the default one, the window
 * coder must be consistent with equals, and the accumulator coder must be inferable.
 */
final class CombineLifting {
  private CombineLifting() {}

  static boolean isLiftable(AppliedPTransform<?, ?, ?> applied, CoderRegistry registry) {
    if (!(applied.getTransform() instanceof Combine.PerKey<?, ?, ?> combine)) {
      return false;
    }
    if (!(combine.getFn() instanceof Combine.CombineFn) || !combine.getSideInputs().isEmpty()) {
      return false;
    }
    PCollection<?> input = applied.getMainInputs().values().iterator().next();
    WindowingStrategy<?, ?> windowing = input.getWindowingStrategy();
    // The partial table and the merge match windows by equals (objects from the fused steps and
    // decoded ones): only exact where the window coder is consistent with equals.
    if (windowing.needsMerge()
        || !windowing.getWindowFn().windowCoder().consistentWithEquals()
        || !(windowing.getTrigger() instanceof DefaultTrigger)
        || !(input.getCoder() instanceof KvCoder)) {
      return false;
    }
    return accumulatorCoder(combine, (KvCoder<?, ?>) input.getCoder(), registry) != null;
  }

  /** The accumulator coder, or null when it cannot be inferred. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Coder<?> accumulatorCoder(
      Combine.PerKey<?, ?, ?> combine, KvCoder<?, ?> inputCoder, CoderRegistry registry) {
    try {
      return ((Combine.CombineFn) combine.getFn())
          .getAccumulatorCoder(registry, (Coder) inputCoder.getValueCoder());
    } catch (CannotProvideCoderException e) {
      return null;
    }
  }
}
