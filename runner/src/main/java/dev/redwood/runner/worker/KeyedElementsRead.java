package dev.redwood.runner.worker;

import java.util.Iterator;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;

/**
 * The reduce side of a shuffle by key feeding a stateful ParDo: each key's records become one
 * {@link KeyedElements}, decoded lazily as the ParDo walks them, so a key's elements never need to
 * fit in memory at once.
 */
public final class KeyedElementsRead implements ReduceLogic {
  private final Coder<Object> keyCoder;
  private final Coder<WindowedValue<Object>> valueCoder;

  @SuppressWarnings("unchecked")
  public KeyedElementsRead(
      Coder<?> keyCoder, Coder<?> valueCoder, Coder<? extends BoundedWindow> windowCoder) {
    this.keyCoder = (Coder<Object>) keyCoder;
    this.valueCoder =
        WindowedValues.getFullCoder((Coder<Object>) valueCoder, (Coder<BoundedWindow>) windowCoder);
  }

  @Override
  public void group(byte[] keyBytes, Iterator<byte[]> values, Receiver output) throws Exception {
    Object key = ShufflePartitionReader.decode(keyCoder, keyBytes);
    Iterator<WindowedValue<Object>> elements =
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            return values.hasNext();
          }

          @Override
          public WindowedValue<Object> next() {
            try {
              WindowedValue<Object> value =
                  ShufflePartitionReader.decode(valueCoder, values.next());
              return value.withValue(KV.of(key, value.getValue()));
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
        };
    output.accept(WindowedValues.valueInGlobalWindow(new KeyedElements(key, elements)));
  }
}
