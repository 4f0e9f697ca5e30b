package dev.redwood.examples.rtm.pipeline;

import dev.redwood.examples.rtm.fwi.MisfitGradient;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Sums per-shot misfits and gradients into the survey's, with {@code Combine.globally}: partial
 * sums in the map tasks, merged after the shuffle. The empty accumulator has no gradient yet and
 * takes the size of the first one added.
 */
public final class GradientSum
    extends Combine.CombineFn<MisfitGradient, MisfitGradient, MisfitGradient> {
  private static final long serialVersionUID = 1L;

  @Override
  public MisfitGradient createAccumulator() {
    return new MisfitGradient(0, new float[0], 0);
  }

  @Override
  public MisfitGradient addInput(MisfitGradient sum, MisfitGradient shot) {
    if (sum.shots() == 0) {
      return new MisfitGradient(shot.misfit(), shot.gradient().clone(), shot.shots());
    }
    return sum.plus(shot);
  }

  @Override
  public MisfitGradient mergeAccumulators(Iterable<MisfitGradient> sums) {
    MisfitGradient total = createAccumulator();
    for (MisfitGradient sum : sums) {
      if (sum.shots() > 0) {
        total = addInput(total, sum);
      }
    }
    return total;
  }

  @Override
  public MisfitGradient extractOutput(MisfitGradient sum) {
    return sum;
  }

  @Override
  public Coder<MisfitGradient> getAccumulatorCoder(
      CoderRegistry registry, Coder<MisfitGradient> inputCoder) {
    return MisfitGradientCoder.of();
  }

  @Override
  public Coder<MisfitGradient> getDefaultOutputCoder(
      CoderRegistry registry, Coder<MisfitGradient> inputCoder) {
    return MisfitGradientCoder.of();
  }
}
