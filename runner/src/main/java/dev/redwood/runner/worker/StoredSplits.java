package dev.redwood.runner.worker;

import dev.redwood.runner.storage.BlobStore;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * The splits of a bounded source as a stage spec in the store carries them: in an object of their
 * own, which a task reads only its own split from (two ranged reads). Inside the spec, the splits
 * of a stage of 50,000 tasks would make every task read and deserialize all 50,000 of them: the
 * work and the heap of a task would grow with the stage, and the stage's reads with its square.
 *
 * <p>The object is an index of {@code count + 1} big-endian longs, split {@code t} spanning the
 * data bytes {@code [index[t], index[t + 1])}, followed by the splits' bytes.
 *
 * @param stepName the read step the splits are of
 * @param count how many splits (the stage's first tasks, one per split)
 * @param key the object holding them
 */
public record StoredSplits(String stepName, int count, String key) implements StageInput {

  /** Writes {@code splits} as the object {@code key}; returns the input that reads them there. */
  public static StoredSplits write(
      BlobStore store, String key, String stepName, List<byte[]> splits) throws IOException {
    // A launcher that died between writing this object and the spec left one behind; the spec
    // about to be written names this one.
    store.delete(key);
    try (OutputStream stream = store.create(key);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(stream, 1 << 16))) {
      long offset = 0;
      out.writeLong(offset);
      for (byte[] split : splits) {
        offset += split.length;
        out.writeLong(offset);
      }
      for (byte[] split : splits) {
        out.write(split);
      }
    }
    return new StoredSplits(stepName, splits.size(), key);
  }

  @Override
  public int taskCount() {
    return count;
  }

  @Override
  public InputReader reader(TaskContext context) {
    return output ->
        new SourceSplitReader(stepName, read(context.store(), key, count, context.task()), context)
            .run(output);
  }

  /** Reads split {@code task} of the {@code count} splits in {@code key}, and nothing else. */
  static byte[] read(BlobStore store, String key, int count, int task) throws IOException {
    if (task < 0 || task >= count) {
      throw new IllegalArgumentException(
          "Task " + task + " has no split in '" + key + "', which holds " + count);
    }
    long start;
    long end;
    try (DataInputStream index = new DataInputStream(store.openRange(key, 8L * task, 16))) {
      start = index.readLong();
      end = index.readLong();
    }
    if (start < 0 || end < start || end - start > Integer.MAX_VALUE - 16) {
      throw new IOException(
          "Corrupt split index in '" + key + "' at task " + task + ": " + start + ".." + end);
    }
    byte[] split;
    try (InputStream in = store.openRange(key, 8L * (count + 1) + start, end - start)) {
      split = in.readNBytes((int) (end - start));
    }
    if (split.length != end - start) {
      throw new IOException(
          "Split "
              + task
              + " in '"
              + key
              + "' ended after "
              + split.length
              + " of its "
              + (end - start)
              + " bytes");
    }
    return split;
  }
}
