package dev.redwood.runner.shuffle;

import java.io.IOException;
import java.util.List;

/**
 * Runs one after the other, each opened only when the previous one is used up: the reduce side of a
 * shuffle without sorting, where only one stream needs to be open at a time.
 */
final class ConcatSource extends ForwardingSource {
  private final List<Run> runs;
  private int next;

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
  public void close() throws IOException {
    next = runs.size();
    if (current != null) {
      RecordSource open = current;
      current = null;
      open.close();
    }
  }
}
