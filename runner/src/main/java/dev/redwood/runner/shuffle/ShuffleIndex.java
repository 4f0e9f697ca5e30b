package dev.redwood.runner.shuffle;

import dev.redwood.runner.storage.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The index object of one map output: where each partition's records start in the data object and
 * how many there are. Big-endian layout: int magic "RWSI", int version, int numPartitions, long
 * offsets[numPartitions + 1] (the last one is the data object's size), long counts[numPartitions].
 */
final class ShuffleIndex {
  private static final int MAGIC = 0x52575349; // "RWSI"
  private static final int VERSION = 1;
  private static final int HEADER_BYTES = 12;

  private final long[] offsets;
  private final long[] counts;

  private ShuffleIndex(long[] offsets, long[] counts) {
    this.offsets = offsets;
    this.counts = counts;
  }

  static ShuffleIndex read(BlobStore store, String key) throws IOException {
    return decode(key, store.get(key));
  }

  /** Parses and validates an index; {@code key} names the object in errors. */
  static ShuffleIndex decode(String key, byte[] bytes) throws IOException {
    if (bytes.length < HEADER_BYTES) {
      throw corrupt(key, "only " + bytes.length + " bytes");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    int magic = in.readInt();
    if (magic != MAGIC) {
      throw corrupt(key, String.format("bad magic 0x%08x", magic));
    }
    int version = in.readInt();
    if (version != VERSION) {
      throw corrupt(key, "unsupported version " + version);
    }
    int n = in.readInt();
    if (n < 1 || bytes.length != HEADER_BYTES + 8L * (2L * n + 1)) {
      throw corrupt(key, n + " partitions do not match its size of " + bytes.length + " bytes");
    }
    long[] offsets = new long[n + 1];
    long[] counts = new long[n];
    for (int i = 0; i <= n; i++) {
      offsets[i] = in.readLong();
    }
    for (int i = 0; i < n; i++) {
      counts[i] = in.readLong();
    }
    if (offsets[0] != 0) {
      throw corrupt(key, "first partition starts at " + offsets[0]);
    }
    for (int i = 0; i < n; i++) {
      long length = offsets[i + 1] - offsets[i];
      // A record takes at least two bytes, so counts bound the range from below.
      if (length < 0
          || counts[i] < 0
          || (counts[i] == 0) != (length == 0)
          || length < 2 * counts[i]) {
        throw corrupt(
            key, "partition " + i + " has " + counts[i] + " records in " + length + " bytes");
      }
    }
    return new ShuffleIndex(offsets, counts);
  }

  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(HEADER_BYTES + 16 * offsets.length);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(counts.length);
      for (long offset : offsets) {
        out.writeLong(offset);
      }
      for (long count : counts) {
        out.writeLong(count);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return bytes.toByteArray();
  }

  int numPartitions() {
    return counts.length;
  }

  /** Throws naming the index object when the partition is not in it. */
  void checkPartition(int partition, String key) throws IOException {
    if (partition < 0 || partition >= counts.length) {
      throw new IOException(
          "Partition "
              + partition
              + " is out of range for shuffle index '"
              + key
              + "' with "
              + counts.length
              + " partitions");
    }
  }

  long start(int partition) {
    return offsets[partition];
  }

  long length(int partition) {
    return offsets[partition + 1] - offsets[partition];
  }

  long count(int partition) {
    return counts[partition];
  }

  private static IOException corrupt(String key, String what) {
    return new IOException("Corrupt shuffle index '" + key + "': " + what);
  }

  /** Collects offsets and counts while records are written in partition order. */
  static final class IndexBuilder {
    private final long[] offsets;
    private final long[] counts;
    private int nextToStart;

    IndexBuilder(int numPartitions) {
      offsets = new long[numPartitions + 1];
      counts = new long[numPartitions];
    }

    /** Notes a record of {@code partition} starting at byte {@code position}. */
    void add(int partition, long position) {
      if (partition < nextToStart - 1) {
        throw new IllegalStateException("Records out of partition order: " + partition);
      }
      // Partitions without records start (and end) where the next record starts.
      while (nextToStart <= partition) {
        offsets[nextToStart++] = position;
      }
      counts[partition]++;
    }

    ShuffleIndex build(long endPosition) {
      while (nextToStart < offsets.length) {
        offsets[nextToStart++] = endPosition;
      }
      return new ShuffleIndex(offsets, counts);
    }
  }
}
