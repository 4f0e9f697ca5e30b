package dev.redwood.examples.acoustics.pipeline;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Combines per-probe statistics into the scene's. Associative and commutative, so runners lift it:
 * each task merges its own probes, and only one small object per task crosses the shuffle.
 */
public final class SceneStatisticsFn
    extends Combine.CombineFn<SceneStatistics, SceneStatistics, SceneStatistics> {

  @Override
  public SceneStatistics createAccumulator() {
    return new SceneStatistics();
  }

  @Override
  public SceneStatistics addInput(SceneStatistics accumulator, SceneStatistics input) {
    accumulator.merge(input);
    return accumulator;
  }

  @Override
  public SceneStatistics mergeAccumulators(Iterable<SceneStatistics> accumulators) {
    SceneStatistics merged = new SceneStatistics();
    for (SceneStatistics a : accumulators) {
      merged.merge(a);
    }
    return merged;
  }

  @Override
  public SceneStatistics extractOutput(SceneStatistics accumulator) {
    return accumulator;
  }

  @Override
  public Coder<SceneStatistics> getAccumulatorCoder(
      CoderRegistry registry, Coder<SceneStatistics> input) {
    return SerializableCoder.of(SceneStatistics.class);
  }

  @Override
  public Coder<SceneStatistics> getDefaultOutputCoder(
      CoderRegistry registry, Coder<SceneStatistics> input) {
    return SerializableCoder.of(SceneStatistics.class);
  }
}
