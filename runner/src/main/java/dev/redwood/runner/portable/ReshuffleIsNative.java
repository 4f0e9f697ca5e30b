package dev.redwood.runner.portable;

import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.util.construction.NativeTransforms;
import org.apache.beam.sdk.util.construction.PTransformTranslation;

/**
 * Tells Beam's fuser that Reshuffle is one of the job server's own transforms (a Redwood
 * redistribute), so it stays a boundary between fused stages instead of being fused as SDK code.
 */
public final class ReshuffleIsNative implements NativeTransforms.IsNativeTransform {
  @Override
  public boolean test(RunnerApi.PTransform transform) {
    return PTransformTranslation.RESHUFFLE_URN.equals(
        PTransformTranslation.urnForTransformOrNull(transform));
  }
}
