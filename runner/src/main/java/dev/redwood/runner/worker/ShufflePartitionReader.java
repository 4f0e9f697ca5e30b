package dev.redwood.runner.worker;

import dev.redwood.runner.plan.CommitRecord;
import dev.redwood.runner.plan.CommittedTask;
import dev.redwood.runner.plan.JobObjects;
import dev.redwood.runner.shuffle.KeyGroups;
import dev.redwood.runner.shuffle.ShuffleObject;
import dev.redwood.runner.shuffle.ShuffleReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;

/**
 * Reads this task's partition of a shuffle from every accepted map output and hands it to the
 * stage's reduce logic (grouping, combining or passing elements through).
 */
final class ShufflePartitionReader implements InputReader {
  /** Map outputs merged at once; more are pre-merged into local runs (bounded open streams). */
  private static final int MAX_FAN_IN = 64;

  private final ShufflePartitions input;
  private final TaskContext context;
  private final ReduceLogic logic;

  ShufflePartitionReader(ShufflePartitions input, TaskContext context, ReduceLogic logic) {
    this.input = input;
    this.context = context;
    this.logic = logic;
  }

  @Override
  public long run(Receiver output) throws Exception {
    List<ShuffleObject> mapOutputs = new ArrayList<>();
    for (int stage : input.producerStages()) {
      CommitRecord commit =
          JobObjects.read(
              context.store(), context.layout().commitRecord(stage), CommitRecord.class);
      for (CommittedTask accepted : commit.accepted()) {
        ShuffleObject object = accepted.shuffleOutputs().get(input.shuffleId());
        if (object != null) {
          mapOutputs.add(object);
        }
      }
    }
    Path spillDir = Files.createDirectories(context.workingDir().resolve("merge-spill"));
    long records = 0;
    boolean grouped = input.read().grouped();
    try (ShuffleReader reader =
        ShuffleReader.open(
            context.store(), mapOutputs, context.task(), grouped, MAX_FAN_IN, spillDir)) {
      if (grouped) {
        KeyGroups groups = new KeyGroups(reader);
        while (groups.nextKey()) {
          CountingIterator values = new CountingIterator(groups.values());
          logic.group(groups.key(), values, output);
          records += values.count;
        }
      } else {
        while (reader.advance()) {
          logic.record(reader.value(), output);
          records++;
        }
      }
    }
    return records;
  }

  static <T> T decode(Coder<T> coder, byte[] bytes) throws IOException {
    return coder.decode(new ByteArrayInputStream(bytes));
  }

  private static final class CountingIterator implements Iterator<byte[]> {
    private final Iterator<byte[]> delegate;
    long count;

    CountingIterator(Iterator<byte[]> delegate) {
      this.delegate = delegate;
    }

    @Override
    public boolean hasNext() {
      return delegate.hasNext();
    }

    @Override
    public byte[] next() {
      count++;
      return delegate.next();
    }
  }
}
