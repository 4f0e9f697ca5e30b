package dev.redwood.runner.shuffle;

import java.io.IOException;
import java.util.List;

/**
 * Runs one after the other, each opened only when the previous one is used up: the reduce side of
 * a shuffle without sorting, where only one stream needs to be open at a time.
 */
final class ConcatSource implements RecordSource {
  private final List<Run> runs;
  private int next;
  private RecordSource current;

  ConcatSource(List<Run> runs) {
    this.runs = runs;
  }

  @Override
  public boolean advance() throws IOException {
    while (true) {
      if (current != null) {
        if (current.advance()) {
          return true;
        }
        current.close();
        current = null;
      }
      if (next >= runs.size()) {
        return false;
      }
      current = runs.get(next++).open();
    }
  }

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

  @Override
  public void close() throws IOException {
    next = runs.size();
    if (current != null) {
      RecordSource open = current;
      current = null;
      open.close();
    }
  }
}
