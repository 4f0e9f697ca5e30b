package dev.redwood.runner.shuffle;

import dev.redwood.runner.storage.BlobStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes one map task's shuffle output: buffers records in memory, spills sorted runs to local disk
 * when the buffer reaches its budget, and on {@link #finish()} merges everything into the data
 * object (records sorted by partition, then key) followed by the index object.
 *
 * <p>The index is written last, so an index in the store always describes a complete data object.
 * Nothing reaches the store before {@code finish()}.
 */
public final class ShuffleWriter implements AutoCloseable {
  /** Most spill files merged at once; more are merged down first, so open files stay bounded. */
  static final int MAX_MERGE_FAN_IN = 64;

  private final BlobStore store;
  private final ShuffleObject target;
  private final int numPartitions;
  private final boolean sortKeys;
  private final int mergeFanIn;
  private final SpillRuns spills;
  private final List<Run> runs = new ArrayList<>();
  private SortBuffer buffer;
  private long records;
  private int spilledRuns;
  private boolean finishing;
  private boolean closed;

  /**
   * @param sortKeys false for a shuffle that only partitions (Reshuffle): records keep arrival
   *     order within a partition and keys may be empty
   * @param memoryBudgetBytes in-memory buffer (records + bookkeeping) before a sorted run spills to
   *     a file in {@code spillDir}
   */
  public ShuffleWriter(
      BlobStore store,
      ShuffleObject target,
      int numPartitions,
      boolean sortKeys,
      long memoryBudgetBytes,
      Path spillDir) {
    this(store, target, numPartitions, sortKeys, memoryBudgetBytes, spillDir, MAX_MERGE_FAN_IN);
  }

  ShuffleWriter(
      BlobStore store,
      ShuffleObject target,
      int numPartitions,
      boolean sortKeys,
      long memoryBudgetBytes,
      Path spillDir,
      int mergeFanIn) {
    if (numPartitions < 1) {
      throw new IllegalArgumentException("numPartitions must be positive: " + numPartitions);
    }
    if (memoryBudgetBytes < 1) {
      throw new IllegalArgumentException(
          "memoryBudgetBytes must be positive: " + memoryBudgetBytes);
    }
    if (mergeFanIn < 2) {
      throw new IllegalArgumentException("mergeFanIn must be at least 2: " + mergeFanIn);
    }
    this.store = Objects.requireNonNull(store, "store");
    this.target = Objects.requireNonNull(target, "target");
    this.numPartitions = numPartitions;
    this.sortKeys = sortKeys;
    this.mergeFanIn = mergeFanIn;
    this.spills = new SpillRuns(Objects.requireNonNull(spillDir, "spillDir"));
    this.buffer = new SortBuffer(memoryBudgetBytes, sortKeys);
  }

  public void write(int partition, byte[] key, byte[] value) throws IOException {
    write(partition, key, 0, key.length, value, 0, value.length);
  }

  /** Copies the given slices, so the caller may reuse its arrays right away. */
  public void write(
      int partition, byte[] key, int keyOff, int keyLen, byte[] value, int valOff, int valLen)
      throws IOException {
    checkWritable();
    Objects.checkIndex(partition, numPartitions);
    Objects.checkFromIndexSize(keyOff, keyLen, key.length);
    Objects.checkFromIndexSize(valOff, valLen, value.length);
    if (!buffer.tryAppend(partition, key, keyOff, keyLen, value, valOff, valLen)) {
      spillBuffer();
      if (!buffer.tryAppend(partition, key, keyOff, keyLen, value, valOff, valLen)) {
        // Bigger than the whole budget: it becomes a run of its own rather than an OOM.
        runs.add(spills.writeSingle(partition, key, keyOff, keyLen, value, valOff, valLen));
        spilledRuns++;
      }
    }
    records++;
  }

  /** Sorts/merges everything, writes the data object, then the index object (index last). */
  public ShuffleStats finish() throws IOException {
    checkWritable();
    finishing = true;
    try {
      buffer.sort();
      RecordSource sorted;
      if (runs.isEmpty()) {
        sorted = buffer.cursor();
      } else {
        runs.add(buffer::cursor); // the in-memory remainder is merged without a spill
        sorted = MergingSource.open(spills.mergeDown(runs, mergeFanIn, sortKeys), sortKeys);
      }
      try (sorted) {
        return publish(sorted);
      }
    } finally {
      close();
    }
  }

  private ShuffleStats publish(RecordSource sorted) throws IOException {
    OutputStream stream = store.create(target.dataKey());
    // On failure the stream is abandoned, not closed: per BlobStore.create that publishes nothing,
    // where closing would publish a truncated object.
    RecordOutput out = new RecordOutput(stream, false);
    ShuffleIndex.IndexBuilder index = new ShuffleIndex.IndexBuilder(numPartitions);
    while (sorted.advance()) {
      index.add(sorted.partition(), out.position());
      out.write(sorted);
    }
    if (out.records() != records) {
      throw new IllegalStateException(
          "Merged " + out.records() + " shuffle records but " + records + " were written");
    }
    out.close();
    long bytes = out.position();
    store.put(target.indexKey(), index.build(bytes).encode());
    return new ShuffleStats(records, bytes, spilledRuns);
  }

  /** Aborts if finish() was not called: deletes spill files; writes nothing to the store. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    buffer = null; // let the arena go even if the writer object lingers
    runs.clear();
    spills.close();
  }

  private void spillBuffer() throws IOException {
    if (buffer.isEmpty()) {
      return;
    }
    buffer.sort();
    runs.add(spills.write(buffer.cursor()));
    spilledRuns++;
    buffer.clear();
  }

  private void checkWritable() {
    if (finishing || closed) {
      throw new IllegalStateException(
          "Shuffle writer for '"
              + target.dataKey()
              + "' is already "
              + (finishing ? "finished" : "closed"));
    }
  }
}
