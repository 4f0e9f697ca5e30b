package dev.redwood.runner.worker;

import dev.redwood.runner.plan.OperationSpec;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * The map side of Reshuffle, Redistribute and fusion breaks: whole elements (value, timestamp,
 * windows, pane) go into the shuffle unchanged, by key or spread evenly.
 */
final class RedistributeWriteOperator extends ShuffleWriteOperator {
  private final OperationSpec.RedistributeWrite spec;
  private final EncodeBuffer keyBuffer = new EncodeBuffer();

  RedistributeWriteOperator(OperationSpec.RedistributeWrite spec, TaskContext context, long budget) {
    super(context, spec.shuffleId(), spec.partitions(), false, budget);
    this.spec = spec;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void accept(WindowedValue<?> element) throws Exception {
    Coder<WindowedValue<?>> coder = spec.elementCoder();
    if (spec.keyCoder() == null) {
      sink.writeRoundRobin(coder, element);
      return;
    }
    // Keyed: the key chooses the partition, the record key stays empty (no grouping needed).
    keyBuffer.reset();
    ((Coder<Object>) spec.keyCoder()).encode(((KV<?, ?>) element.getValue()).getKey(), keyBuffer);
    sink.writePartitionedBy(keyBuffer.array(), keyBuffer.size(), coder, element);
  }
}
