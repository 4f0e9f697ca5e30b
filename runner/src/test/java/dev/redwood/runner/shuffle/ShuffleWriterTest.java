package dev.redwood.runner.shuffle;

import static dev.redwood.runner.shuffle.ShuffleTesting.BIG_BUDGET;
import static dev.redwood.runner.shuffle.ShuffleTesting.filesIn;
import static dev.redwood.runner.shuffle.ShuffleTesting.randomRecords;
import static dev.redwood.runner.shuffle.ShuffleTesting.target;
import static dev.redwood.runner.shuffle.ShuffleTesting.write;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.runner.shuffle.ShuffleTesting.Rec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The map side: spilling, merging, publishing order and aborting. */
class ShuffleWriterTest {
  @TempDir Path spillDir;
  private final InMemoryBlobStore store = new InMemoryBlobStore();
  private final List<Rec> records = randomRecords(new Random(7), 5000, 5);

  @Test
  void spillingGivesTheSameObjectsAsSortingInMemory() throws Exception {
    ShuffleObject inMemory = target("memory");
    ShuffleObject spilled = target("spilled");
    ShuffleObject mergedDown = target("merged-down");
    assertThat(
        write(new ShuffleWriter(store, inMemory, 5, true, BIG_BUDGET, spillDir), records)
            .spilledRuns(),
        is(0));
    assertThat(filesIn(spillDir), is(empty())); // an in-memory shuffle never touches the disk

    ShuffleStats stats = write(new ShuffleWriter(store, spilled, 5, true, 4096, spillDir), records);
    assertThat(stats.spilledRuns(), greaterThan(1));
    assertThat(filesIn(spillDir), is(empty()));
    // Fan-in 2 forces several levels of intermediate merges.
    write(new ShuffleWriter(store, mergedDown, 5, true, 4096, spillDir, 2), records);
    assertThat(filesIn(spillDir), is(empty()));

    // The writer keeps equal keys in arrival order, so the objects are byte for byte the same.
    for (ShuffleObject other : List.of(spilled, mergedDown)) {
      assertArrayEquals(store.get(inMemory.dataKey()), store.get(other.dataKey()));
      assertArrayEquals(store.get(inMemory.indexKey()), store.get(other.indexKey()));
    }
  }

  @Test
  void dataObjectIsPublishedBeforeTheIndex() throws Exception {
    ShuffleObject target = target("map");
    write(new ShuffleWriter(store, target, 5, true, 4096, spillDir), records);
    assertThat(store.calls, contains("create " + target.dataKey(), "put " + target.indexKey()));
  }

  @Test
  void closeWithoutFinishLeavesNothingBehind() throws Exception {
    ShuffleWriter writer = new ShuffleWriter(store, target("map"), 5, true, 4096, spillDir);
    for (Rec r : records) {
      writer.write(r.partition(), r.key(), r.value());
    }
    assertThat(filesIn(spillDir).size(), greaterThan(1));
    writer.close();
    writer.close();
    assertThat(store.list(""), is(empty()));
    assertThat(filesIn(spillDir), is(empty()));
    assertThrows(IllegalStateException.class, writer::finish);
  }

  @Test
  void failedFinishPublishesNothingAndDeletesSpillFiles() throws Exception {
    store.failStreamWrites = true;
    ShuffleWriter writer = new ShuffleWriter(store, target("map"), 5, true, 4096, spillDir);
    for (Rec r : records) {
      writer.write(r.partition(), r.key(), r.value());
    }
    assertThrows(IOException.class, writer::finish);
    assertThat(store.list(""), is(empty()));
    assertThat(filesIn(spillDir), is(empty()));
    writer.close();
  }

  @Test
  void writesAreChecked() throws Exception {
    try (ShuffleWriter writer = new ShuffleWriter(store, target("map"), 2, true, 4096, spillDir)) {
      assertThrows(
          IndexOutOfBoundsException.class, () -> writer.write(2, new byte[1], new byte[1]));
      assertThrows(
          IndexOutOfBoundsException.class,
          () -> writer.write(0, new byte[2], 1, 2, new byte[1], 0, 1));
      writer.write(0, new byte[] {9, 8, 7}, 1, 1, new byte[] {6, 5}, 1, 1);
      assertThat(writer.finish(), equalTo(new ShuffleStats(1, 4, 0)));
      assertThrows(IllegalStateException.class, () -> writer.write(0, new byte[1], new byte[1]));
      assertThrows(IllegalStateException.class, writer::finish);
    }
    assertArrayEquals(new byte[] {1, 1, 8, 5}, store.get("shuffle/map.data"));
  }
}
