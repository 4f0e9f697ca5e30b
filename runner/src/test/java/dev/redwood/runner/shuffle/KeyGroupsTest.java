package dev.redwood.runner.shuffle;

import static dev.redwood.runner.shuffle.ShuffleTesting.BIG_BUDGET;
import static dev.redwood.runner.shuffle.ShuffleTesting.target;
import static dev.redwood.runner.shuffle.ShuffleTesting.write;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.runner.shuffle.ShuffleTesting.Rec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Grouping a sorted stream by key, whether or not the values are read. */
class KeyGroupsTest {
  @TempDir Path spillDir;
  private final InMemoryBlobStore store = new InMemoryBlobStore();
  private final List<ShuffleObject> outputs = new ArrayList<>();

  @BeforeEach
  void writeTwoMapOutputs() throws Exception {
    // Keys "", "a", "a\0", "b" with values spread over both map outputs.
    outputs.add(target("m0"));
    outputs.add(target("m1"));
    write(
        new ShuffleWriter(store, outputs.get(0), 1, true, BIG_BUDGET, spillDir),
        List.of(rec("b", "b1"), rec("a", "a1"), rec("", "e1"), rec("a\0", "z1"), rec("a", "a2")));
    write(
        new ShuffleWriter(store, outputs.get(1), 1, true, BIG_BUDGET, spillDir),
        List.of(rec("a", "a3"), rec("b", "b2"), rec("a\0", "z2")));
  }

  @Test
  void groupsEveryKeyWithAllItsValues() throws Exception {
    List<String> groups = new ArrayList<>();
    try (ShuffleReader reader = open()) {
      KeyGroups keys = new KeyGroups(reader);
      while (keys.nextKey()) {
        List<String> values = new ArrayList<>();
        keys.values().forEachRemaining(v -> values.add(new String(v)));
        values.sort(null); // order among equal keys is not promised
        groups.add(new String(keys.key()) + "=" + values);
      }
      assertThat(keys.nextKey(), is(false));
    }
    assertThat(groups, contains("=[e1]", "a=[a1, a2, a3]", "a\0=[z1, z2]", "b=[b1, b2]"));
  }

  @Test
  void unreadAndHalfReadValuesAreSkipped() throws Exception {
    List<String> seen = new ArrayList<>();
    try (ShuffleReader reader = open()) {
      KeyGroups keys = new KeyGroups(reader);
      int group = 0;
      while (keys.nextKey()) {
        String key = new String(keys.key());
        Iterator<byte[]> values = keys.values();
        if (group == 1) {
          assertThat(values.hasNext(), is(true));
          assertThat(values.hasNext(), is(true)); // asking twice does not skip a value
          seen.add(key + ":" + new String(values.next()).charAt(0));
        } else if (group == 3) {
          int n = 0;
          while (values.hasNext()) {
            values.next();
            n++;
          }
          assertThat(values.hasNext(), is(false));
          assertThrows(NoSuchElementException.class, values::next);
          seen.add(key + ":" + n);
        } else {
          seen.add(key); // values left unread
        }
        group++;
      }
    }
    assertThat(seen, equalTo(List.of("", "a:a", "a\0", "b:2")));
  }

  @Test
  void noRecordsMeansNoKeys() throws Exception {
    try (ShuffleReader reader = ShuffleReader.open(store, List.of(), 0, true, 2, spillDir)) {
      KeyGroups keys = new KeyGroups(reader);
      assertThat(keys.nextKey(), is(false));
      assertThrows(IllegalStateException.class, keys::key);
    }
  }

  private ShuffleReader open() throws Exception {
    return ShuffleReader.open(store, outputs, 0, true, 2, spillDir);
  }

  private static Rec rec(String key, String value) {
    return new Rec(0, key.getBytes(), value.getBytes());
  }
}
