package dev.redwood.runner.worker;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * The map side of Reshuffle, Redistribute and fusion breaks: whole elements (value, timestamp,
 * windows, pane) go into the shuffle unchanged, by key or spread evenly.
 */
public final class RedistributeWriteOperator extends ShuffleWriteOperator {
  private final Coder<WindowedValue<?>> elementCoder;
  private final Coder<Object> keyCoder;
  private final EncodeBuffer keyBuffer = new EncodeBuffer();

  /**
   * @param keyCoder the coder of the elements' keys, or null to spread them round robin
   */
  @SuppressWarnings("unchecked")
  public RedistributeWriteOperator(
      TaskContext context,
      ShuffleTarget target,
      Coder<WindowedValue<?>> elementCoder,
      Coder<?> keyCoder) {
    super(context, target, false);
    this.elementCoder = elementCoder;
    this.keyCoder = (Coder<Object>) keyCoder;
  }

  @Override
  public void accept(WindowedValue<?> element) throws Exception {
    if (keyCoder == null) {
      sink.writeRoundRobin(elementCoder, element);
      return;
    }
    // Keyed: the key chooses the partition, the record key stays empty (no grouping needed).
    keyBuffer.reset();
    keyCoder.encode(((KV<?, ?>) element.getValue()).getKey(), keyBuffer);
    sink.writePartitionedBy(keyBuffer.array(), keyBuffer.size(), elementCoder, element);
  }
}
