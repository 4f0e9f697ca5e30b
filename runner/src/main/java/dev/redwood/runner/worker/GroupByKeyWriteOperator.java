package dev.redwood.runner.worker;

import dev.redwood.runner.plan.OperationSpec;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;

/** GroupByKey's map side: each KV goes into the shuffle under its encoded key. */
final class GroupByKeyWriteOperator extends ShuffleWriteOperator {
  private final OperationSpec.GroupByKeyWrite spec;
  private final Coder<Object> keyCoder;
  private final Coder<Object> valueCoder;

  @SuppressWarnings("unchecked")
  GroupByKeyWriteOperator(OperationSpec.GroupByKeyWrite spec, TaskContext context, long budget) {
    super(context, spec.shuffleId(), spec.partitions(), true, budget);
    this.spec = spec;
    this.keyCoder = (Coder<Object>) spec.keyCoder();
    Coder<Object> values = (Coder<Object>) spec.valueCoder();
    this.valueCoder =
        spec.valuesOnly()
            ? values
            : (Coder<Object>)
                (Coder<?>)
                    WindowedValues.getFullCoder(
                        values, (Coder<BoundedWindow>) spec.windowCoder());
  }

  @Override
  public void accept(WindowedValue<?> element) throws Exception {
    KV<?, ?> kv = (KV<?, ?>) element.getValue();
    Object value = spec.valuesOnly() ? kv.getValue() : element.withValue(kv.getValue());
    sink.write(keyCoder, kv.getKey(), valueCoder, value);
  }
}
