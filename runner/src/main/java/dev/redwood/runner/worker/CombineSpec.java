package dev.redwood.runner.worker;

import java.io.Serializable;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * The CombineFn of a lifted Combine.perKey, serialized on the driver, with the coders of its keys,
 * accumulators and windows: what both sides of its shuffle run.
 */
public record CombineSpec(
    String stepName,
    Coder<?> keyCoder,
    Coder<?> accumulatorCoder,
    Coder<? extends BoundedWindow> windowCoder,
    byte[] combineFn,
    WindowingStrategy<?, ?> windowingStrategy)
    implements Serializable {

  /** The CombineFn, deserialized (a fresh instance per call). */
  @SuppressWarnings("unchecked")
  CombineFn<Object, Object, Object> deserializeFn() {
    return (CombineFn<Object, Object, Object>)
        SerializableUtils.deserializeFromByteArray(combineFn, "CombineFn of " + stepName);
  }

  /** The coder of the accumulators in the shuffle: with their timestamps and windows. */
  @SuppressWarnings("unchecked")
  Coder<WindowedValue<Object>> windowedAccumulatorCoder() {
    return WindowedValues.getFullCoder(
        (Coder<Object>) accumulatorCoder, (Coder<BoundedWindow>) windowCoder);
  }
}
