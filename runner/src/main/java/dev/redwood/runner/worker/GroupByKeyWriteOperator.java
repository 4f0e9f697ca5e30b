package dev.redwood.runner.worker;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;

/**
 * The map side of a shuffle by key (GroupByKey, a stateful ParDo): each KV goes into the shuffle
 * under its encoded key.
 */
public final class GroupByKeyWriteOperator extends ShuffleWriteOperator {
  private final boolean valuesOnly;
  private final Coder<Object> keyCoder;
  private final Coder<Object> valueCoder;

  /**
   * @param valuesOnly write bare values, without timestamps, windows and panes (global window,
   *     default trigger, end-of-window timestamps: the reduce side needs none of them)
   */
  @SuppressWarnings("unchecked")
  public GroupByKeyWriteOperator(
      TaskContext context,
      ShuffleTarget target,
      Coder<?> keyCoder,
      Coder<?> valueCoder,
      Coder<? extends BoundedWindow> windowCoder,
      boolean valuesOnly) {
    super(context, target, true);
    this.valuesOnly = valuesOnly;
    this.keyCoder = (Coder<Object>) keyCoder;
    Coder<Object> values = (Coder<Object>) valueCoder;
    this.valueCoder =
        valuesOnly
            ? values
            : (Coder<Object>)
                (Coder<?>) WindowedValues.getFullCoder(values, (Coder<BoundedWindow>) windowCoder);
  }

  @Override
  public void accept(WindowedValue<?> element) throws Exception {
    KV<?, ?> kv = (KV<?, ?>) element.getValue();
    Object value = valuesOnly ? kv.getValue() : element.withValue(kv.getValue());
    sink.write(keyCoder, kv.getKey(), valueCoder, value);
  }
}
