package dev.redwood.runner.shuffle;

import static dev.redwood.runner.shuffle.ShuffleTesting.BIG_BUDGET;
import static dev.redwood.runner.shuffle.ShuffleTesting.multiset;
import static dev.redwood.runner.shuffle.ShuffleTesting.randomRecords;
import static dev.redwood.runner.shuffle.ShuffleTesting.read;
import static dev.redwood.runner.shuffle.ShuffleTesting.sortedByKey;
import static dev.redwood.runner.shuffle.ShuffleTesting.target;
import static dev.redwood.runner.shuffle.ShuffleTesting.texts;
import static dev.redwood.runner.shuffle.ShuffleTesting.write;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.redwood.runner.shuffle.ShuffleTesting.Rec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records written by several map tasks come back per partition, sorted and complete. */
class ShuffleRoundTripTest {
  private static final int PARTITIONS = 7;

  @TempDir Path spillDir;
  private final InMemoryBlobStore store = new InMemoryBlobStore();

  @Test
  void everyPartitionReadsBackSortedAndComplete() throws Exception {
    Random random = new Random(1);
    List<ShuffleObject> outputs = new ArrayList<>();
    List<Rec> all = new ArrayList<>();
    for (int m = 0; m < 5; m++) {
      List<Rec> records = randomRecords(random, 3000, PARTITIONS);
      ShuffleObject target = target("map" + m);
      ShuffleStats stats =
          write(new ShuffleWriter(store, target, PARTITIONS, true, BIG_BUDGET, spillDir), records);
      assertThat(stats.records(), is(3000L));
      assertThat(stats.bytes(), is(store.size(target.dataKey())));
      assertThat(stats.spilledRuns(), is(0));
      outputs.add(target);
      all.addAll(records);
    }
    for (int p = 0; p < PARTITIONS; p++) {
      int partition = p;
      List<Rec> got = read(ShuffleReader.open(store, outputs, p, true, 100, spillDir), p);
      assertThat("partition " + p + " sorted", sortedByKey(got), is(true));
      assertThat(
          multiset(got.stream()),
          equalTo(multiset(all.stream().filter(r -> r.partition() == partition))));
    }
    assertThat(store.openStreams.get(), is(0));
  }

  @Test
  void unsortedModeKeepsEachWritersArrivalOrder() throws Exception {
    Random random = new Random(2);
    List<ShuffleObject> outputs = new ArrayList<>();
    List<List<Rec>> written = new ArrayList<>();
    for (int m = 0; m < 3; m++) {
      List<Rec> records = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        // Empty keys, as a Reshuffle writes them; values numbered to make order visible.
        records.add(new Rec(random.nextInt(4), new byte[0], (m + ":" + i).getBytes()));
      }
      ShuffleObject target = target("map" + m);
      // A small budget, so arrival order has to survive spills and merges too.
      ShuffleStats stats =
          write(new ShuffleWriter(store, target, 4, false, 4096, spillDir, 3), records);
      assertThat(stats.spilledRuns(), greaterThan(3));
      outputs.add(target);
      written.add(records);
    }
    for (int p = 0; p < 4; p++) {
      int partition = p;
      List<Rec> expected =
          written.stream().flatMap(List::stream).filter(r -> r.partition() == partition).toList();
      List<Rec> got = read(ShuffleReader.open(store, outputs, p, false, 2, null), p);
      assertThat(texts(got), equalTo(texts(expected)));
    }
  }

  @Test
  void recordBiggerThanTheBudgetGoesAroundTheBuffer() throws Exception {
    List<Rec> records = new ArrayList<>(randomRecords(new Random(3), 500, 2));
    byte[] huge = new byte[100_000];
    new Random(4).nextBytes(huge);
    records.add(250, new Rec(1, "huge".getBytes(), huge));
    ShuffleObject target = target("map");
    ShuffleStats stats = write(new ShuffleWriter(store, target, 2, true, 4096, spillDir), records);

    assertThat(stats.spilledRuns(), greaterThan(1));
    List<Rec> got = read(ShuffleReader.open(store, List.of(target), 1, true, 10, spillDir), 1);
    assertThat(sortedByKey(got), is(true));
    assertThat(
        multiset(got.stream()),
        equalTo(multiset(records.stream().filter(r -> r.partition() == 1))));
    assertThat(texts(got), hasItem(startsWith("68756765=")));
  }

  @Test
  void emptyMapOutputsAndPartitionsReadAsNothing() throws Exception {
    ShuffleObject empty = target("empty");
    ShuffleStats stats =
        write(new ShuffleWriter(store, empty, 3, true, BIG_BUDGET, spillDir), List.of());
    assertThat(stats, equalTo(new ShuffleStats(0, 0, 0)));
    ShuffleObject onlyP0 = target("p0");
    write(
        new ShuffleWriter(store, onlyP0, 3, true, BIG_BUDGET, spillDir),
        List.of(new Rec(0, new byte[] {1}, new byte[] {2})));

    for (int p = 1; p < 3; p++) {
      assertThat(
          read(ShuffleReader.open(store, List.of(empty, onlyP0), p, true, 2, spillDir), p),
          is(empty()));
    }
    assertThat(store.calls, not(hasItem(startsWith("openRange"))));
    assertThat(
        read(ShuffleReader.open(store, List.of(empty, onlyP0), 0, true, 2, spillDir), 0).size(),
        is(1));
  }
}
