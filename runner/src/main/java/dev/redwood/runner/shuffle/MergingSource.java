package dev.redwood.runner.shuffle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * K-way merge of sorted record sources by (partition, unsigned key), or by partition alone when
 * keys are not sorted. Ties go to the earlier source, so merging runs in arrival order keeps
 * arrival order.
 *
 * <p>The priority queue is a plain binary heap rather than {@link java.util.PriorityQueue}: the
 * source on top advances in place and sifts down once, instead of a poll and an offer per record.
 */
final class MergingSource extends ForwardingSource {
  private final List<RecordSource> sources;
  private final boolean sortKeys;
  private final Head[] heap;
  private int size;
  private boolean primed;

  private MergingSource(List<RecordSource> sources, boolean sortKeys) {
    this.sources = sources;
    this.sortKeys = sortKeys;
    this.heap = new Head[sources.size()];
  }

  /** Opens every run and merges them; a single run is returned as it is. */
  static RecordSource open(List<Run> runs, boolean sortKeys) throws IOException {
    List<RecordSource> sources = new ArrayList<>(runs.size());
    try {
      for (Run run : runs) {
        sources.add(run.open());
      }
    } catch (IOException | RuntimeException e) {
      closeAll(sources, e);
      throw e;
    }
    return sources.size() == 1 ? sources.get(0) : new MergingSource(sources, sortKeys);
  }

  @Override
  public boolean advance() throws IOException {
    if (!primed) {
      primed = true;
      for (int i = 0; i < sources.size(); i++) {
        RecordSource source = sources.get(i);
        if (source.advance()) {
          heap[size++] = new Head(source, i);
        } else {
          source.close();
        }
      }
      for (int i = size / 2 - 1; i >= 0; i--) {
        siftDown(i);
      }
    } else if (size > 0) {
      RecordSource top = heap[0].source;
      if (!top.advance()) {
        top.close(); // exhausted: free its stream and buffer now
        heap[0] = heap[--size];
        heap[size] = null;
      }
      siftDown(0);
    }
    current = size > 0 ? heap[0].source : null;
    return current != null;
  }

  private void siftDown(int i) {
    Head moving = heap[i];
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && compare(heap[child + 1], heap[child]) < 0) {
        child++;
      }
      if (compare(moving, heap[child]) <= 0) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    if (i < size) {
      heap[i] = moving;
    }
  }

  private int compare(Head a, Head b) {
    RecordSource x = a.source;
    RecordSource y = b.source;
    int c = Integer.compare(x.partition(), y.partition());
    if (c == 0 && sortKeys) {
      c =
          Arrays.compareUnsigned(
              x.keyBuffer(),
              x.keyOffset(),
              x.keyOffset() + x.keyLength(),
              y.keyBuffer(),
              y.keyOffset(),
              y.keyOffset() + y.keyLength());
    }
    return c != 0 ? c : Integer.compare(a.order, b.order);
  }

  @Override
  public void close() throws IOException {
    size = 0;
    current = null;
    closeAll(sources, null);
  }

  /** Closes every source; rethrows the first failure unless {@code pending} is already thrown. */
  static void closeAll(List<? extends RecordSource> sources, Throwable pending) throws IOException {
    IOException first = null;
    for (RecordSource source : sources) {
      try {
        source.close();
      } catch (IOException e) {
        if (pending != null) {
          pending.addSuppressed(e);
        } else if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private record Head(RecordSource source, int order) {}
}
