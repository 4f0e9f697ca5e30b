package dev.redwood.runner.shuffle;

import static dev.redwood.runner.shuffle.ShuffleTesting.BIG_BUDGET;
import static dev.redwood.runner.shuffle.ShuffleTesting.filesIn;
import static dev.redwood.runner.shuffle.ShuffleTesting.multiset;
import static dev.redwood.runner.shuffle.ShuffleTesting.randomRecords;
import static dev.redwood.runner.shuffle.ShuffleTesting.read;
import static dev.redwood.runner.shuffle.ShuffleTesting.sortedByKey;
import static dev.redwood.runner.shuffle.ShuffleTesting.target;
import static dev.redwood.runner.shuffle.ShuffleTesting.texts;
import static dev.redwood.runner.shuffle.ShuffleTesting.write;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.runner.shuffle.ShuffleTesting.Rec;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reduce side: fan-in, ranged reads and damaged objects. */
class ShuffleReaderTest {
  private static final int PARTITIONS = 4;

  @TempDir Path spillDir;
  private final InMemoryBlobStore store = new InMemoryBlobStore();
  private final List<ShuffleObject> outputs = new ArrayList<>();
  private final List<Rec> written = new ArrayList<>();

  @BeforeEach
  void writeTwentyMapOutputs() throws IOException {
    Random random = new Random(11);
    for (int m = 0; m < 20; m++) {
      List<Rec> records = randomRecords(random, 300, PARTITIONS);
      ShuffleObject target = target("map" + m);
      write(new ShuffleWriter(store, target, PARTITIONS, true, BIG_BUDGET, spillDir), records);
      outputs.add(target);
      written.addAll(records);
    }
    store.calls.clear();
  }

  @Test
  void smallFanInMergesInStepsToTheSameResult() throws Exception {
    for (int p = 0; p < PARTITIONS; p++) {
      int partition = p;
      List<Rec> wide = read(ShuffleReader.open(store, outputs, p, true, 100, spillDir), p);
      assertThat(store.maxOpenStreams.get(), is(20));
      store.maxOpenStreams.set(0);

      List<Rec> narrow = read(ShuffleReader.open(store, outputs, p, true, 3, spillDir), p);
      assertThat(store.maxOpenStreams.get(), lessThanOrEqualTo(3));
      store.maxOpenStreams.set(0);

      assertThat(sortedByKey(narrow), is(true));
      assertThat(texts(narrow), equalTo(texts(wide)));
      assertThat(
          multiset(narrow.stream()),
          equalTo(multiset(written.stream().filter(r -> r.partition() == partition))));
      assertThat(filesIn(spillDir), is(empty()));
      assertThat(store.openStreams.get(), is(0));
    }
  }

  @Test
  void readsOnlyThePartitionsByteRange() throws Exception {
    long expectedBytes = 0;
    long totalBytes = 0;
    for (ShuffleObject output : outputs) {
      expectedBytes += ShuffleIndex.read(store, output.indexKey()).length(2);
      totalBytes += store.size(output.dataKey());
    }
    store.calls.clear();

    read(ShuffleReader.open(store, outputs, 2, true, 100, spillDir), 2);

    assertThat(store.rangeBytesRequested.get(), is(expectedBytes));
    assertThat(expectedBytes, lessThan(totalBytes / 2));
    List<String> dataCalls = store.calls.stream().filter(c -> c.endsWith(".data")).toList();
    assertThat(dataCalls.size(), is(20));
    assertThat(dataCalls, everyItem(startsWith("openRange ")));
  }

  @Test
  void corruptIndexIsReportedWithItsKey() throws Exception {
    String key = outputs.get(5).indexKey();
    byte[] index = store.get(key);
    store.delete(key);
    store.put(key, "not an index".getBytes());
    IOException badMagic =
        assertThrows(
            IOException.class, () -> ShuffleReader.open(store, outputs, 0, true, 4, spillDir));
    assertThat(badMagic.getMessage(), containsString(key));

    store.delete(key);
    store.put(key, Arrays.copyOf(index, index.length - 8));
    IOException truncated =
        assertThrows(
            IOException.class, () -> ShuffleReader.open(store, outputs, 0, true, 4, spillDir));
    assertThat(truncated.getMessage(), containsString(key));
    assertThat(store.openStreams.get(), is(0));
  }

  @Test
  void partitionOutsideTheIndexIsReportedWithItsKey() {
    IOException e =
        assertThrows(
            IOException.class,
            () -> ShuffleReader.open(store, outputs, PARTITIONS, true, 4, spillDir));
    assertThat(e.getMessage(), containsString(outputs.get(0).indexKey()));
  }

  @Test
  void truncatedDataIsReportedWithItsKey() throws Exception {
    ShuffleObject output = target("short");
    byte[] value = new byte[50];
    write(
        new ShuffleWriter(store, output, 1, true, BIG_BUDGET, spillDir),
        List.of(new Rec(0, new byte[] {1}, value), new Rec(0, new byte[] {2}, value)));
    // An index that promises more records than the range holds.
    ShuffleIndex.IndexBuilder forged = new ShuffleIndex.IndexBuilder(1);
    for (int i = 0; i < 5; i++) {
      forged.add(0, 0);
    }
    store.delete(output.indexKey());
    store.put(output.indexKey(), forged.build(store.size(output.dataKey())).encode());

    try (ShuffleReader reader = ShuffleReader.open(store, List.of(output), 0, true, 4, spillDir)) {
      assertThat(reader.advance(), is(true));
      assertThat(reader.advance(), is(true));
      EOFException e = assertThrows(EOFException.class, reader::advance);
      assertThat(e.getMessage(), containsString(output.dataKey()));
    }
    assertThat(store.openStreams.get(), is(0));
  }
}
