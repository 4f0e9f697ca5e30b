package dev.redwood.runner.worker;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.WindowedValue;

/** The reduce side of Reshuffle and fusion breaks: records are whole elements, passed on. */
public final class PassThrough implements ReduceLogic {
  private final Coder<WindowedValue<?>> coder;

  public PassThrough(Coder<WindowedValue<?>> coder) {
    this.coder = coder;
  }

  @Override
  public void record(byte[] value, Receiver output) throws Exception {
    output.accept(ShufflePartitionReader.decode(coder, value));
  }
}
