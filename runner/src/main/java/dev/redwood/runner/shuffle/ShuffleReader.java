package dev.redwood.runner.shuffle;

import dev.redwood.runner.storage.BlobStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Reads one partition of many map outputs: the partition's byte range of every data object (ranged
 * reads, found through the index objects), merged into one stream sorted by key, or simply
 * concatenated for a shuffle that does not sort.
 *
 * <p>With more inputs than the fan-in limit, groups of inputs are first merged into local run
 * files, so the number of open streams (and their buffers) stays bounded.
 */
public final class ShuffleReader implements Closeable {
  private final RecordSource source;
  private final SpillRuns spills;
  private boolean positioned;
  private byte[] key;
  private byte[] value;
  private boolean closed;

  private ShuffleReader(RecordSource source, SpillRuns spills) {
    this.source = source;
    this.spills = spills;
  }

  /**
   * @param sorted true: output is sorted by key (k-way merge); false: the inputs' partition ranges
   *     are concatenated in the order of {@code mapOutputs}
   * @param maxFanIn at most this many input streams are open at once; with more inputs, groups are
   *     first merged into local spill files in {@code spillDir}
   */
  public static ShuffleReader open(
      BlobStore store,
      List<ShuffleObject> mapOutputs,
      int partition,
      boolean sorted,
      int maxFanIn,
      Path spillDir)
      throws IOException {
    Objects.requireNonNull(store, "store");
    if (maxFanIn < 2) {
      throw new IllegalArgumentException("maxFanIn must be at least 2: " + maxFanIn);
    }
    List<Run> inputs = new ArrayList<>();
    for (ShuffleObject output : mapOutputs) {
      ShuffleIndex index = ShuffleIndex.read(store, output.indexKey());
      index.checkPartition(partition, output.indexKey());
      long count = index.count(partition);
      if (count == 0) {
        continue; // no stream, no request
      }
      long start = index.start(partition);
      long length = index.length(partition);
      String dataKey = output.dataKey();
      inputs.add(
          () ->
              RecordInput.ofPartition(
                  store.openRange(dataKey, start, length), dataKey, length, count, partition));
    }
    if (!sorted) {
      // Concatenation never spills; the SpillRuns only keeps close() uniform.
      return new ShuffleReader(new ConcatSource(inputs), new SpillRuns(spillDir));
    }
    SpillRuns spills = new SpillRuns(Objects.requireNonNull(spillDir, "spillDir"));
    try {
      return new ShuffleReader(
          MergingSource.open(spills.mergeDown(inputs, maxFanIn, true), true), spills);
    } catch (IOException | RuntimeException e) {
      spills.close();
      throw e;
    }
  }

  /** Moves to the next record; false at the end. */
  public boolean advance() throws IOException {
    key = null;
    value = null;
    positioned = source.advance();
    return positioned;
  }

  /** The current record's key (do not mutate). */
  public byte[] key() {
    checkPositioned();
    if (key == null) {
      int off = source.keyOffset();
      key = Arrays.copyOfRange(source.keyBuffer(), off, off + source.keyLength());
    }
    return key;
  }

  /** The current record's value (do not mutate). */
  public byte[] value() {
    checkPositioned();
    if (value == null) {
      int off = source.valueOffset();
      value = Arrays.copyOfRange(source.valueBuffer(), off, off + source.valueLength());
    }
    return value;
  }

  /** Whether the current key equals {@code other}, without copying the key. */
  boolean keyEquals(byte[] other) {
    checkPositioned();
    int off = source.keyOffset();
    return Arrays.equals(source.keyBuffer(), off, off + source.keyLength(), other, 0, other.length);
  }

  /** Closes streams, deletes its spill files. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    positioned = false;
    try {
      source.close();
    } finally {
      spills.close();
    }
  }

  private void checkPositioned() {
    if (!positioned) {
      throw new IllegalStateException(
          "No current record: advance() first, and only while it returns true");
    }
  }
}
