package dev.redwood.runner.worker;

import dev.redwood.runner.plan.StageInput;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.WindowedValue;

/** Reshuffle's reduce side: records are whole elements, decoded and passed on. */
final class PassThrough implements ShufflePartitionReader.ReduceLogic {
  private final Coder<WindowedValue<?>> coder;

  PassThrough(StageInput.PassThrough spec) {
    this.coder = spec.elementCoder();
  }

  @Override
  public void record(byte[] value, Receiver output) throws Exception {
    output.accept(ShufflePartitionReader.decode(coder, value));
  }
}
