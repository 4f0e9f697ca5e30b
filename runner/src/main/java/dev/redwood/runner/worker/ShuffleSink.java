package dev.redwood.runner.worker;

import dev.redwood.runner.shuffle.ShuffleObject;
import dev.redwood.runner.shuffle.ShuffleStats;
import dev.redwood.runner.shuffle.ShuffleWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.coders.Coder;

/**
 * A map task's side of one shuffle: encodes keys and values into reused buffers, picks the
 * partition from the key bytes and writes into this attempt's sorted shuffle object. The object is
 * named in the manifest when the task finishes.
 */
final class ShuffleSink implements AutoCloseable {
  private final TaskContext context;
  private final String shuffleId;
  private final int partitions;
  private final ShuffleWriter writer;
  private final ShuffleObject target;
  private final EncodeBuffer keyBuffer = new EncodeBuffer();
  private final EncodeBuffer valueBuffer = new EncodeBuffer();
  private int roundRobin;

  ShuffleSink(TaskContext context, ShuffleTarget shuffle, boolean sorted, long budget)
      throws IOException {
    this.context = context;
    this.shuffleId = shuffle.shuffleId();
    this.partitions = shuffle.partitions();
    this.target = shuffle.object(context.attempt());
    Path spillDir =
        Files.createDirectories(
            context.workingDir().resolve(Path.of(target.dataKey()).getFileName() + "-spill"));
    this.writer = new ShuffleWriter(context.store(), target, partitions, sorted, budget, spillDir);
    this.roundRobin = context.task();
  }

  /** Writes a record partitioned by its key. */
  <K, V> void write(Coder<K> keyCoder, K key, Coder<V> valueCoder, V value) throws IOException {
    keyBuffer.reset();
    keyCoder.encode(key, keyBuffer);
    byte[] keyBytes = keyBuffer.array();
    int keyLength = keyBuffer.size();
    writeEncodedKey(keyBytes, keyLength, valueCoder, value);
  }

  /** Writes a record with an empty key, spread over the partitions in turn. */
  <V> void writeRoundRobin(Coder<V> valueCoder, V value) throws IOException {
    valueBuffer.reset();
    valueCoder.encode(value, valueBuffer);
    roundRobin = (roundRobin + 1) % partitions;
    writer.write(roundRobin, EMPTY, 0, 0, valueBuffer.array(), 0, valueBuffer.size());
  }

  /** Writes a record with an empty key into the partition the given key bytes choose. */
  <V> void writePartitionedBy(byte[] key, int keyLength, Coder<V> valueCoder, V value)
      throws IOException {
    valueBuffer.reset();
    valueCoder.encode(value, valueBuffer);
    int partition = partition(key, keyLength);
    writer.write(partition, EMPTY, 0, 0, valueBuffer.array(), 0, valueBuffer.size());
  }

  /** Writes a record under key bytes that are already encoded. */
  <V> void writeEncodedKey(byte[] key, int keyLength, Coder<V> valueCoder, V value)
      throws IOException {
    valueBuffer.reset();
    valueCoder.encode(value, valueBuffer);
    writer.write(
        partition(key, keyLength), key, 0, keyLength, valueBuffer.array(), 0, valueBuffer.size());
  }

  void finish() throws IOException {
    ShuffleStats stats = writer.finish();
    context.addShuffleOutput(shuffleId, target, stats);
  }

  @Override
  public void close() {
    writer.close();
  }

  int partition(byte[] key, int length) {
    // FNV-1a then a final mix: cheap, and spreads small integer keys over the partitions.
    int h = 0x811c9dc5;
    for (int i = 0; i < length; i++) {
      h = (h ^ (key[i] & 0xff)) * 0x01000193;
    }
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    return Math.floorMod(h, partitions);
  }

  private static final byte[] EMPTY = new byte[0];
}
