package dev.redwood.runner.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.emptyArray;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.oneOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBlobStoreTest {
  @TempDir Path tempDir;
  private Path root;
  private LocalBlobStore store;

  @BeforeEach
  void openStore() {
    root = tempDir.resolve("store");
    store = new LocalBlobStore(root);
  }

  @AfterEach
  void closeStore() throws IOException {
    store.close();
  }

  @Test
  void putThenGetAndNeverReplace() throws IOException {
    store.put("jobs/j1/spec", bytes("first"));
    assertThat(text(store.get("jobs/j1/spec")), is("first"));
    assertThat(store.exists("jobs/j1/spec"), is(true));
    assertThat(store.size("jobs/j1/spec"), is(5L));

    assertThrows(BlobExistsException.class, () -> store.put("jobs/j1/spec", bytes("second!")));
    try (InputStream in = store.open("jobs/j1/spec")) {
      assertThat(text(in.readAllBytes()), is("first"));
    }
    store.delete("jobs/j1/spec");
    store.put("jobs/j1/spec", bytes("second!"));
    assertThat(text(store.get("jobs/j1/spec")), is("second!"));
    store.put("empty", new byte[0]);
    assertThat(store.get("empty").length, is(0));
  }

  @Test
  void missingObjectsAreNotFound() throws IOException {
    store.put("a/b", bytes("x"));
    assertThrows(BlobNotFoundException.class, () -> store.get("nope"));
    assertThrows(BlobNotFoundException.class, () -> store.open("nope"));
    assertThrows(BlobNotFoundException.class, () -> store.openRange("nope", 0, 1));
    assertThrows(BlobNotFoundException.class, () -> store.size("nope"));
    assertThrows(BlobNotFoundException.class, () -> store.download("nope", tempDir.resolve("x")));
    // A "directory" of other objects is no object.
    assertThrows(BlobNotFoundException.class, () -> store.get("a"));
    assertThat(store.exists("a"), is(false));
    assertThat(store.exists("nope"), is(false));
  }

  @Test
  void createdObjectAppearsOnlyWhenTheStreamCloses() throws IOException {
    OutputStream out = store.create("shuffle/part-0");
    out.write(bytes("hello "));
    out.flush();
    assertThat(store.exists("shuffle/part-0"), is(false));
    assertThat(store.list(""), empty());
    out.write(bytes("world"));
    out.close();
    assertThat(text(store.get("shuffle/part-0")), is("hello world"));
    out.close(); // a second close changes nothing
    assertThrows(IOException.class, () -> out.write(1));
    assertThat(tempFiles(), emptyArray());
  }

  @Test
  void rangedReadsReturnExactlyTheRange() throws IOException {
    store.put("data", bytes("0123456789"));
    assertThat(text(readRange("data", 0, 10)), is("0123456789"));
    assertThat(text(readRange("data", 3, 4)), is("3456"));
    assertThat(text(readRange("data", 8, 100)), is("89"));
    assertThat(text(readRange("data", 10, 5)), is(""));
    assertThat(text(readRange("data", 20, 5)), is(""));
    assertThat(text(readRange("data", 5, 0)), is(""));
    try (InputStream in = store.openRange("data", 2, 3)) {
      assertThat(in.read(), is((int) '2'));
      assertThat(in.read(), is((int) '3'));
      assertThat(in.read(), is((int) '4'));
      assertThat(in.read(), is(-1));
    }
    assertThrows(IllegalArgumentException.class, () -> store.openRange("data", -1, 2));
    assertThrows(IllegalArgumentException.class, () -> store.openRange("data", 0, -2));
  }

  @Test
  void listMatchesStringPrefixesInOrder() throws IOException {
    for (String key : List.of("a/bd/e", "a/b/c", "b", "a/bc", "a/a", "ab", "a/b/z/y")) {
      store.put(key, bytes(key));
    }
    OutputStream pending = store.create("a/b/pending");
    pending.write(1);

    assertThat(store.list("a/b"), contains("a/b/c", "a/b/z/y", "a/bc", "a/bd/e"));
    assertThat(store.list("a/b/"), contains("a/b/c", "a/b/z/y"));
    assertThat(store.list("a"), contains("a/a", "a/b/c", "a/b/z/y", "a/bc", "a/bd/e", "ab"));
    assertThat(store.list(""), contains("a/a", "a/b/c", "a/b/z/y", "a/bc", "a/bd/e", "ab", "b"));
    assertThat(store.list("a/b/c"), contains("a/b/c"));
    assertThat(store.list("zzz"), empty());
    assertThat(store.list("a/x/y/"), empty());
    pending.close();
    assertThat(store.list("a/b/p"), contains("a/b/pending"));
  }

  @Test
  void deleteAndDeletePrefixRemoveObjectsAndEmptyDirectories() throws IOException {
    for (String key : List.of("jobs/j1/a", "jobs/j1/s/b", "jobs/j10/c", "jobs/j2/d", "top")) {
      store.put(key, bytes(key));
    }
    store.delete("top");
    store.delete("top"); // absent: no error
    store.delete("jobs/none/x");
    assertThat(store.exists("top"), is(false));

    store.deletePrefix("jobs/j1/");
    assertThat(store.list(""), contains("jobs/j10/c", "jobs/j2/d"));
    assertThat(Files.exists(root.resolve("jobs/j1")), is(false));

    store.deletePrefix("jobs/j1"); // a string prefix: takes j10 too
    assertThat(store.list(""), contains("jobs/j2/d"));
    assertThat(Files.exists(root.resolve("jobs/j10")), is(false));

    store.delete("jobs/j2/d");
    assertThat(Files.exists(root.resolve("jobs")), is(false));
    assertThat(Files.exists(root), is(true));
    // Directories removed under a later writer are recreated.
    store.put("jobs/j2/d", bytes("again"));
    assertThat(text(store.get("jobs/j2/d")), is("again"));
  }

  @Test
  void badKeysAreRejectedWithTheKeyInTheMessage() {
    for (String key :
        List.of(
            "", "/abs/path", "a/../b", "..", "../escape", "a//b", "a/", "./a", ".tmp/x", "a\\b")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> store.put(key, bytes("x")), key);
      if (!key.isEmpty()) {
        assertThat(e.getMessage(), containsString("'" + key + "'"));
      }
      assertThrows(IllegalArgumentException.class, () -> store.get(key), key);
    }
    assertThrows(IllegalArgumentException.class, () -> store.list("../"));
  }

  @Test
  void putFileAndDownloadCopyWholeFiles() throws IOException {
    Path source = tempDir.resolve("source.jar");
    Files.write(source, bytes("jar bytes"));
    store.putFile("staging/abc123.jar", source);
    assertThat(text(store.get("staging/abc123.jar")), is("jar bytes"));

    Path target = tempDir.resolve("deep/dir/copy.jar");
    store.download("staging/abc123.jar", target);
    assertThat(text(Files.readAllBytes(target)), is("jar bytes"));
    // Objects are written once: neither a put nor a stream replaces one.
    assertThrows(BlobExistsException.class, () -> store.put("staging/abc123.jar", bytes("other")));
    OutputStream second = store.create("staging/abc123.jar");
    second.write(bytes("other"));
    assertThrows(BlobExistsException.class, second::close);
    store.download("staging/abc123.jar", target);
    assertThat(text(Files.readAllBytes(target)), is("jar bytes"));
    assertThat(text(Files.readAllBytes(source)), is("jar bytes"));
    try (Stream<Path> files = Files.list(target.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()).toList(), contains("copy.jar"));
    }
    assertThat(tempFiles(), emptyArray());
  }

  @Test
  void closingTheStoreAbortsUnclosedStreams() throws IOException {
    OutputStream unclosed = store.create("never/finished");
    unclosed.write(bytes("partial"));
    store.put("done", bytes("ok"));
    store.close();

    assertThat(tempFiles(), emptyArray());
    assertThrows(IOException.class, unclosed::close);
    assertThat(Files.exists(root.resolve("never/finished")), is(false));
    assertThrows(IllegalStateException.class, () -> store.put("late", bytes("x")));
    // Another instance on the same directory sees what was completed.
    try (BlobStore again = BlobStores.open(store.location(), Map.of())) {
      assertThat(again.list(""), contains("done"));
    }
  }

  @Test
  void locationOpensTheSameStore() throws IOException {
    store.put("x/y", bytes("shared"));
    assertThat(store.location(), is(root.toUri().toString()));
    try (BlobStore again = BlobStores.open(store.location(), Map.of())) {
      assertThat(text(again.get("x/y")), is("shared"));
    }
  }

  @Test
  void concurrentWritersOfOneKeyLeaveOneWholeObject() throws Exception {
    byte[] a = new byte[256 * 1024];
    byte[] b = new byte[256 * 1024];
    Arrays.fill(a, (byte) 'a');
    Arrays.fill(b, (byte) 'b');
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicInteger won = new AtomicInteger();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        byte[] content = i % 2 == 0 ? a : b;
        int n = i;
        futures.add(
            pool.submit(
                () -> {
                  try {
                    store.put("same", content);
                    won.incrementAndGet();
                  } catch (BlobExistsException e) {
                    // another writer was first
                  }
                  store.put("own/" + n, content);
                  byte[] read = store.get("same");
                  assertThat(read.length, is(a.length));
                  assertThat(read[0] == read[read.length - 1], is(true));
                  return null;
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(won.get(), is(1));
    assertThat(store.list("own/").size(), is(20));
    assertThat(store.get("same")[0], oneOf((byte) 'a', (byte) 'b'));
    assertThat(tempFiles(), emptyArray());
  }

  @Test
  void aTaskStoreCreatesOnlyTheKeysOfItsAttemptsGrant() throws IOException {
    String own = "jobs/j1/stages/0/tasks/3/attempt-0/manifest";
    String ownStream = "jobs/j1/stages/0/tasks/3/attempt-0/shuffle-s1";
    String ownFile = "jobs/j1/stages/0/tasks/3/attempt-0/view-v1";
    String neighbour = "jobs/j1/stages/0/tasks/4/attempt-0/manifest";
    Map<String, String> grant =
        store.taskAccess("j1", List.of(own, ownStream, ownFile), Duration.ofMinutes(10));
    Path file = Files.write(tempDir.resolve("view"), bytes("view"));

    try (BlobStore task = BlobStores.open(store.location(), grant)) {
      task.put(own, bytes("manifest"));
      try (OutputStream out = task.create(ownStream)) {
        out.write(bytes("shuffle"));
      }
      task.putFile(ownFile, file);
      // Granted keys are still written once only.
      assertThrows(BlobExistsException.class, () -> task.put(own, bytes("again")));

      IOException put = assertThrows(IOException.class, () -> task.put(neighbour, bytes("x")));
      assertThat(put.getMessage(), containsString("'" + neighbour + "'"));
      assertThat(put.getMessage(), containsString("outside the attempt's grant"));
      IOException create = assertThrows(IOException.class, () -> task.create(neighbour));
      assertThat(create.getMessage(), containsString("'" + neighbour + "'"));
      IOException putFile = assertThrows(IOException.class, () -> task.putFile(neighbour, file));
      assertThat(putFile.getMessage(), containsString("outside the attempt's grant"));
      // Keys of other jobs and outside jobs/ are refused just the same.
      assertThrows(IOException.class, () -> task.put("jobs/j2/x", bytes("x")));
      assertThrows(IOException.class, () -> task.put("staging/x.jar", bytes("x")));
    }
    assertThat(text(store.get(own)), is("manifest"));
    assertThat(text(store.get(ownStream)), is("shuffle"));
    assertThat(text(store.get(ownFile)), is("view"));
    assertThat(store.exists(neighbour), is(false));
    assertThat(store.list(""), contains(own, ownStream, ownFile));
    assertThat(tempFiles(), emptyArray());
  }

  @Test
  void aTaskStoreReadsAndListsItsJobAndDeletesNothing() throws IOException {
    store.put("jobs/j1/stages/0/spec", bytes("spec"));
    store.put("jobs/j2/stages/0/spec", bytes("other job"));
    store.put("staging/x.jar", bytes("jar"));
    Map<String, String> grant = store.taskAccess("j1", List.of(), Duration.ofMinutes(10));

    try (BlobStore task = BlobStores.open(store.location(), grant)) {
      // What an Azure task's read-and-list token on its job's container allows.
      assertThat(text(task.get("jobs/j1/stages/0/spec")), is("spec"));
      assertThat(task.exists("jobs/j1/stages/0/spec"), is(true));
      assertThat(task.size("jobs/j1/stages/0/spec"), is(4L));
      assertThat(text(readAll(task, "jobs/j1/stages/0/spec")), is("spec"));
      assertThat(task.list("jobs/j1/stages/"), contains("jobs/j1/stages/0/spec"));
      Path copy = tempDir.resolve("copy");
      task.download("jobs/j1/stages/0/spec", copy);
      assertThat(text(Files.readAllBytes(copy)), is("spec"));

      // And nothing more: no other job's objects, no staged jars, no deletes, no URLs.
      IOException otherJob =
          assertThrows(IOException.class, () -> task.get("jobs/j2/stages/0/spec"));
      assertThat(otherJob.getMessage(), containsString("'jobs/j2/stages/0/spec'"));
      assertThat(otherJob.getMessage(), containsString("jobs/j1/"));
      assertThrows(IOException.class, () -> task.exists("staging/x.jar"));
      assertThrows(IOException.class, () -> task.openRange("staging/x.jar", 0, 1));
      assertThrows(IOException.class, () -> task.list("jobs/"));
      assertThrows(IOException.class, () -> task.list("jobs/j1"));
      assertThrows(IOException.class, () -> task.delete("jobs/j1/stages/0/spec"));
      assertThrows(IOException.class, () -> task.deletePrefix("jobs/j1/"));
      assertThrows(
          UnsupportedOperationException.class,
          () -> task.readUrl("jobs/j1/stages/0/spec", Duration.ofMinutes(1)));
    }
    assertThat(store.exists("jobs/j1/stages/0/spec"), is(true));
  }

  @Test
  void aTaskEnvironmentWithHalfAGrantIsRefused() {
    Map<String, String> half = Map.of(LocalBlobStore.GRANT_JOB_VARIABLE, "j1");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BlobStores.open(store.location(), half));
    assertThat(e.getMessage(), containsString(LocalBlobStore.GRANT_WRITES_VARIABLE));
  }

  private static byte[] readAll(BlobStore from, String key) throws IOException {
    try (InputStream in = from.open(key)) {
      return in.readAllBytes();
    }
  }

  private byte[] readRange(String key, long offset, long length) throws IOException {
    try (InputStream in = store.openRange(key, offset, length)) {
      return in.readAllBytes();
    }
  }

  private String[] tempFiles() {
    String[] names = root.resolve(".tmp").toFile().list();
    return names == null ? new String[0] : names;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, UTF_8);
  }
}
