package dev.redwood.runner.worker;

import java.io.Closeable;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Instant;

/**
 * A lifted Combine.perKey's reduce side: merges the partial accumulators that map tasks wrote for
 * each key and window, then extracts one output per key and window.
 */
public final class CombineMerge implements ReduceLogic {
  private final CombineSpec spec;
  private final TaskContext context;
  private final Coder<Object> keyCoder;
  private final Coder<WindowedValue<Object>> accumulatorCoder;
  private final CombineFn<Object, Object, Object> combineFn;
  private final TimestampCombiner timestampCombiner;

  @SuppressWarnings("unchecked")
  public CombineMerge(CombineSpec spec, TaskContext context) {
    this.spec = spec;
    this.context = context;
    this.keyCoder = (Coder<Object>) spec.keyCoder();
    this.accumulatorCoder = spec.windowedAccumulatorCoder();
    this.combineFn = spec.deserializeFn();
    this.timestampCombiner = spec.windowingStrategy().getTimestampCombiner();
  }

  @Override
  public void group(byte[] keyBytes, Iterator<byte[]> values, Receiver output) throws Exception {
    Object key = ShufflePartitionReader.decode(keyCoder, keyBytes);
    Map<BoundedWindow, WindowedValue<Object>> merged = new LinkedHashMap<>();
    try (Closeable scope = context.metricsScope(spec.stepName())) {
      while (values.hasNext()) {
        WindowedValue<Object> partial =
            ShufflePartitionReader.decode(accumulatorCoder, values.next());
        BoundedWindow window = partial.getWindows().iterator().next();
        WindowedValue<Object> previous = merged.get(window);
        if (previous == null) {
          merged.put(window, partial);
        } else {
          Object accumulator =
              combineFn.mergeAccumulators(List.of(previous.getValue(), partial.getValue()));
          Instant timestamp =
              timestampCombiner.combine(previous.getTimestamp(), partial.getTimestamp());
          merged.put(window, WindowedValues.of(accumulator, timestamp, window, PaneInfo.NO_FIRING));
        }
      }
      for (Map.Entry<BoundedWindow, WindowedValue<Object>> e : merged.entrySet()) {
        Object result = combineFn.extractOutput(e.getValue().getValue());
        output.accept(
            WindowedValues.of(
                KV.of(key, result),
                e.getValue().getTimestamp(),
                e.getKey(),
                PaneInfo.ON_TIME_AND_ONLY_FIRING));
      }
    }
  }
}
