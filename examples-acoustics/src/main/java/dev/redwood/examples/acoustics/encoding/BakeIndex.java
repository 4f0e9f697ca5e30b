package dev.redwood.examples.acoustics.encoding;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The table of contents of a bake file: every probe's position and where its encoded fields lie, in
 * probe-id order. Offsets count from the start of the data section, so the index depends only on
 * the probes' encoded sizes, and the pipeline can build it with a Combine before the file is
 * written.
 */
public final class BakeIndex implements Serializable {
  private static final long serialVersionUID = 1L;

  /** One probe: position (metres), encoded size and CRC-32 of the encoded bytes. */
  public record Entry(int probe, double x, double y, int length, int crc) implements Serializable {}

  private final List<Entry> entries;
  private final long[] offsets;

  public BakeIndex(List<Entry> entries) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingInt(Entry::probe));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).probe() == sorted.get(i - 1).probe()) {
        throw new IllegalArgumentException(
            "probe " + sorted.get(i).probe() + " appears twice in the bake");
      }
    }
    this.entries = List.copyOf(sorted);
    this.offsets = new long[sorted.size() + 1];
    for (int i = 0; i < sorted.size(); i++) {
      offsets[i + 1] = offsets[i] + sorted.get(i).length();
    }
  }

  public List<Entry> entries() {
    return entries;
  }

  public int size() {
    return entries.size();
  }

  /** Offset of the i-th entry's data from the start of the data section. */
  public long offset(int i) {
    return offsets[i];
  }

  /** Size of the data section. */
  public long dataBytes() {
    return offsets[entries.size()];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BakeIndex other && entries.equals(other.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  /** Position of a probe id in {@link #entries()}, or -1. */
  public int find(int probe) {
    int lo = 0;
    int hi = entries.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int id = entries.get(mid).probe();
      if (id == probe) {
        return mid;
      }
      if (id < probe) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }
}
