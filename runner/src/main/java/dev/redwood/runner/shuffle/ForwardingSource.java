package dev.redwood.runner.shuffle;

/** A source whose current record is another source's: the base of concatenation and merging. */
abstract class ForwardingSource implements RecordSource {
  /** The source holding the current record, or null before the first and after the last. */
  protected RecordSource current;

  @Override
  public int partition() {
    return current.partition();
  }

  @Override
  public byte[] keyBuffer() {
    return current.keyBuffer();
  }

  @Override
  public int keyOffset() {
    return current.keyOffset();
  }

  @Override
  public int keyLength() {
    return current.keyLength();
  }

  @Override
  public byte[] valueBuffer() {
    return current.valueBuffer();
  }

  @Override
  public int valueOffset() {
    return current.valueOffset();
  }

  @Override
  public int valueLength() {
    return current.valueLength();
  }
}
