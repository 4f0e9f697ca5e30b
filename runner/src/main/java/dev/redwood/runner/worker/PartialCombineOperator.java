package dev.redwood.runner.worker;

import java.util.Arrays;
import java.util.HashMap;
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
 * The map side of a lifted Combine.perKey: inputs are folded into one accumulator per key and
 * window, so the shuffle carries accumulators instead of every element. The table is bounded: when
 * full it is flushed into the shuffle and starts again (the reduce side merges anyway).
 */
public final class PartialCombineOperator extends ShuffleWriteOperator {
  /** Entries kept before a flush; bounds memory whatever the number of keys. */
  static final int MAX_ENTRIES = 100_000;

  private final CombineFn<Object, Object, Object> combineFn;
  private final TimestampCombiner timestampCombiner;
  private final Coder<Object> keyCoder;
  private final Coder<WindowedValue<Object>> accumulatorCoder;
  private final EncodeBuffer keyBuffer = new EncodeBuffer();
  private final Map<KeyInWindow, Partial> table = new HashMap<>();

  @SuppressWarnings("unchecked")
  public PartialCombineOperator(TaskContext context, ShuffleTarget target, CombineSpec spec) {
    super(context, target, true);
    this.combineFn = spec.deserializeFn();
    this.timestampCombiner = spec.windowingStrategy().getTimestampCombiner();
    this.keyCoder = (Coder<Object>) spec.keyCoder();
    this.accumulatorCoder = spec.windowedAccumulatorCoder();
  }

  @Override
  public void accept(WindowedValue<?> element) throws Exception {
    KV<?, ?> kv = (KV<?, ?>) element.getValue();
    keyBuffer.reset();
    keyCoder.encode(kv.getKey(), keyBuffer);
    byte[] keyBytes = Arrays.copyOf(keyBuffer.array(), keyBuffer.size());
    for (BoundedWindow window : element.getWindows()) {
      KeyInWindow slot = new KeyInWindow(keyBytes, window);
      Instant timestamp = timestampCombiner.assign(window, element.getTimestamp());
      Partial partial = table.get(slot);
      if (partial == null) {
        if (table.size() >= MAX_ENTRIES) {
          flush();
        }
        partial = new Partial(combineFn.createAccumulator(), timestamp);
        table.put(slot, partial);
      } else {
        partial.timestamp = timestampCombiner.combine(partial.timestamp, timestamp);
      }
      partial.accumulator = combineFn.addInput(partial.accumulator, kv.getValue());
    }
  }

  private void flush() throws Exception {
    for (Map.Entry<KeyInWindow, Partial> e : table.entrySet()) {
      KeyInWindow slot = e.getKey();
      Partial partial = e.getValue();
      WindowedValue<Object> accumulator =
          WindowedValues.of(
              combineFn.compact(partial.accumulator),
              partial.timestamp,
              slot.window,
              PaneInfo.NO_FIRING);
      sink.writeEncodedKey(slot.key, slot.key.length, accumulatorCoder, accumulator);
    }
    table.clear();
  }

  @Override
  public void finish() throws Exception {
    flush();
    super.finish();
  }

  private static final class Partial {
    Object accumulator;
    Instant timestamp;

    Partial(Object accumulator, Instant timestamp) {
      this.accumulator = accumulator;
      this.timestamp = timestamp;
    }
  }

  /** Encoded key bytes (structural equality, as the shuffle groups) and one window. */
  private static final class KeyInWindow {
    final byte[] key;
    final BoundedWindow window;
    final int hash;

    KeyInWindow(byte[] key, BoundedWindow window) {
      this.key = key;
      this.window = window;
      this.hash = 31 * Arrays.hashCode(key) + window.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof KeyInWindow other
          && hash == other.hash
          && Arrays.equals(key, other.key)
          && window.equals(other.window);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
