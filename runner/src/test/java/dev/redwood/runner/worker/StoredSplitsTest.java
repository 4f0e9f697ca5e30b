package dev.redwood.runner.worker;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.runner.storage.LocalBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stage's source splits kept out of its spec: each task reads back exactly its own split. */
class StoredSplitsTest {
  @TempDir Path temp;

  private LocalBlobStore store() throws IOException {
    return new LocalBlobStore(Files.createDirectories(temp.resolve("store")));
  }

  private static List<byte[]> splits(int count) {
    List<byte[]> splits = new ArrayList<>();
    for (int t = 0; t < count; t++) {
      byte[] split = new byte[(t * 37) % 300]; // sizes vary, and some are empty
      Arrays.fill(split, (byte) t);
      splits.add(split);
    }
    return splits;
  }

  @Test
  void everyTaskReadsItsOwnSplit() throws IOException {
    try (LocalBlobStore store = store()) {
      List<byte[]> splits = splits(500);
      StoredSplits stored = StoredSplits.write(store, "jobs/j/stages/0/input", "Read", splits);
      assertThat(stored.taskCount(), is(500));
      for (int t = 0; t < splits.size(); t++) {
        assertThat(
            "split " + t,
            Arrays.equals(StoredSplits.read(store, stored.key(), stored.count(), t), splits.get(t)),
            is(true));
      }
    }
  }

  @Test
  void theSpecsInputStaysSmallWhateverTheNumberOfSplits() throws IOException {
    try (LocalBlobStore store = store()) {
      List<byte[]> splits = splits(20_000);
      long splitBytes = splits.stream().mapToLong(s -> s.length).sum();
      StoredSplits stored = StoredSplits.write(store, "jobs/j/stages/0/input", "Read", splits);
      int serialized = SerializableUtils.serializeToByteArray(stored).length;
      assertThat(splitBytes > 1_000_000, is(true));
      assertThat((long) serialized, lessThan(1_000L));
      assertThat(store.size(stored.key()), is(8L * 20_001 + splitBytes));
    }
  }

  @Test
  void aLeftOverObjectOfADeadLauncherIsReplaced() throws IOException {
    try (LocalBlobStore store = store()) {
      store.put("jobs/j/stages/0/input", new byte[] {1, 2, 3});
      StoredSplits stored =
          StoredSplits.write(store, "jobs/j/stages/0/input", "Read", List.of(new byte[] {9}));
      assertThat(StoredSplits.read(store, stored.key(), 1, 0)[0], is((byte) 9));
    }
  }

  @Test
  void aTaskBeyondTheSplitsIsRefused() throws IOException {
    try (LocalBlobStore store = store()) {
      StoredSplits stored = StoredSplits.write(store, "k", "Read", splits(3));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> StoredSplits.read(store, "k", 3, 3));
      assertThat(e.getMessage(), containsString("has no split"));
      assertThat(stored.count(), is(3));
    }
  }
}
