package dev.redwood.runner.worker;

import java.util.Iterator;

/** What a reduce task does with one shuffle partition's records (see {@link ShuffleRead}). */
public interface ReduceLogic {

  /** Grouped reads: one call per distinct key with that key's values. */
  default void group(byte[] key, Iterator<byte[]> values, Receiver output) throws Exception {
    throw new UnsupportedOperationException();
  }

  /** Ungrouped reads: one call per record value. */
  default void record(byte[] value, Receiver output) throws Exception {
    throw new UnsupportedOperationException();
  }
}
