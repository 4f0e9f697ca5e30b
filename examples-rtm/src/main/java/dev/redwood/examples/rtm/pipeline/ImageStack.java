package dev.redwood.examples.rtm.pipeline;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Stacking: sums per-shot images (or any equally sized float arrays) cell by cell. Used with {@code
 * Combine.globally}, so the runner adds images up inside each map task before the shuffle and
 * merges the partial stacks after it. The empty accumulator is a zero-length array that takes the
 * size of the first image added.
 */
public final class ImageStack extends Combine.CombineFn<float[], float[], float[]> {
  private static final long serialVersionUID = 1L;

  @Override
  public float[] createAccumulator() {
    return new float[0];
  }

  @Override
  public float[] addInput(float[] stack, float[] image) {
    if (stack.length == 0) {
      return image.clone();
    }
    checkSize(stack, image);
    for (int i = 0; i < stack.length; i++) {
      stack[i] += image[i];
    }
    return stack;
  }

  @Override
  public float[] mergeAccumulators(Iterable<float[]> stacks) {
    float[] sum = new float[0];
    for (float[] stack : stacks) {
      if (stack.length > 0) {
        sum = addInput(sum, stack);
      }
    }
    return sum;
  }

  @Override
  public float[] extractOutput(float[] stack) {
    return stack;
  }

  @Override
  public Coder<float[]> getAccumulatorCoder(CoderRegistry registry, Coder<float[]> inputCoder) {
    return FloatArrayCoder.of();
  }

  @Override
  public Coder<float[]> getDefaultOutputCoder(CoderRegistry registry, Coder<float[]> inputCoder) {
    return FloatArrayCoder.of();
  }

  private static void checkSize(float[] stack, float[] image) {
    if (stack.length != image.length) {
      throw new IllegalArgumentException(
          "images of different sizes cannot be stacked: " + stack.length + " and " + image.length);
    }
  }
}
