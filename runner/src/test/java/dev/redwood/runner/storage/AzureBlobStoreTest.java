package dev.redwood.runner.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.models.BlobStorageException;
import dev.redwood.runner.azure.Azurite;
import dev.redwood.runner.azure.EmulatedAzure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Azure blob store against Azurite: the store contract, then what a task's SAS allows. */
class AzureBlobStoreTest {
  @TempDir Path tempDir;

  private final String base = "rwtest-" + UUID.randomUUID().toString().substring(0, 8);
  private final String job = "j-" + UUID.randomUUID().toString().substring(0, 8);
  private AzureBlobStore store;

  @BeforeEach
  void open() {
    store = AzureBlobStore.forDriver(Azurite.account(), base);
  }

  @AfterEach
  void cleanUp() throws IOException {
    store.deletePrefix("jobs/" + job + "/");
    store.deletePrefix("staging/");
  }

  private String key(String rest) {
    return "jobs/" + job + "/" + rest;
  }

  @Test
  void objectsAreWrittenOnceAndReadWholeOrByRange() throws IOException {
    store.put(key("stages/0/spec"), bytes("spec bytes"));
    assertThat(text(store.get(key("stages/0/spec"))), is("spec bytes"));
    assertThat(store.size(key("stages/0/spec")), is(10L));
    assertThat(store.exists(key("stages/0/spec")), is(true));
    assertThat(store.exists(key("stages/0/nope")), is(false));
    assertThrows(BlobExistsException.class, () -> store.put(key("stages/0/spec"), bytes("other")));
    assertThat(text(store.get(key("stages/0/spec"))), is("spec bytes"));

    byte[] big = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(big);
    try (OutputStream out = store.create(key("stages/0/tasks/0/attempt-0/shuffle-a"))) {
      for (int off = 0; off < big.length; off += 100_000) {
        out.write(big, off, Math.min(100_000, big.length - off));
      }
    }
    try (InputStream in =
        store.openRange(key("stages/0/tasks/0/attempt-0/shuffle-a"), 1_000_000, 2_000_000)) {
      byte[] range = in.readAllBytes();
      assertThat(range.length, is(2_000_000));
      assertThat(range[0], is(big[1_000_000]));
      assertThat(range[range.length - 1], is(big[2_999_999]));
    }
    try (InputStream in = store.open(key("stages/0/tasks/0/attempt-0/shuffle-a"))) {
      assertThat(in.readAllBytes().length, is(big.length));
    }
    OutputStream second = store.create(key("stages/0/tasks/0/attempt-0/shuffle-a"));
    second.write(bytes("late duplicate"));
    assertThrows(BlobExistsException.class, second::close);

    assertThrows(BlobNotFoundException.class, () -> store.get(key("missing")));
    assertThrows(BlobNotFoundException.class, () -> store.open(key("missing")));
    assertThrows(BlobNotFoundException.class, () -> store.size(key("missing")));
  }

  @Test
  void listsAndDeletesByPrefixWithinAJob() throws IOException {
    store.put(key("stages/1/a"), bytes("a"));
    store.put(key("stages/1/b"), bytes("b"));
    store.put(key("stages/10/c"), bytes("c"));
    assertThat(store.list(key("stages/1/")), contains(key("stages/1/a"), key("stages/1/b")));
    store.deletePrefix(key("stages/1/"));
    assertThat(store.list(key("stages/1/")), is(empty()));
    assertThat(store.list(key("stages/")), contains(key("stages/10/c")));
    store.deletePrefix("jobs/" + job + "/");
    assertThat(store.list(key("")), is(empty()));
    assertThat(store.exists(key("stages/10/c")), is(false));
  }

  @Test
  void filesGoUpAndComeDown() throws IOException {
    Path jar = tempDir.resolve("lib.jar");
    Files.write(jar, bytes("jar content"));
    store.putFile("staging/abc-lib.jar", jar);
    assertThrows(BlobExistsException.class, () -> store.putFile("staging/abc-lib.jar", jar));
    Path copy = tempDir.resolve("nodes/n1/lib.jar");
    store.download("staging/abc-lib.jar", copy);
    assertThat(text(Files.readAllBytes(copy)), is("jar content"));
    String url = store.readUrl("staging/abc-lib.jar", Duration.ofMinutes(5));
    assertThat(url, containsString("sig="));
    try (InputStream in = java.net.URI.create(url).toURL().openStream()) {
      assertThat(text(in.readAllBytes()), is("jar content"));
    }
  }

  @Test
  void aTaskReadsItsJobAndCreatesOnlyItsOwnOutputs() throws Exception {
    store.put(key("stages/0/spec"), bytes("spec"));
    store.put("staging/x.jar", bytes("jar"));
    String own = key("stages/0/tasks/3/attempt-0/manifest");
    Map<String, String> env = store.taskAccess(job, List.of(own), Duration.ofMinutes(10));
    String joined = String.join(" ", env.values());
    assertThat(joined, not(containsString(Azurite.KEY)));

    try (BlobStore task = BlobStores.open(store.location(), env)) {
      assertThat(text(task.get(key("stages/0/spec"))), is("spec"));
      assertThat(task.list(key("stages/0/")), contains(key("stages/0/spec")));
      task.put(own, bytes("manifest"));
      assertThrows(BlobExistsException.class, () -> task.put(own, bytes("again")));
      IOException other =
          assertThrows(
              IOException.class,
              () -> task.put(key("stages/0/tasks/4/attempt-0/manifest"), bytes("x")));
      assertThat(other.getMessage(), containsString("may not write"));
      // Read rights stop at the job's container; nothing the task sees carries a token.
      IOException staging = assertThrows(IOException.class, () -> task.get("staging/x.jar"));
      assertThat(staging.getMessage(), not(containsString("sig=")));
      IOException spec = assertThrows(IOException.class, () -> task.delete(key("stages/0/spec")));
      assertThat(spec.getMessage(), not(containsString("sig=")));
    }
    assertThat(text(store.get(own)), is("manifest"));
    assertThat(text(store.get(key("stages/0/spec"))), is("spec"));
    assertThat(env, hasKey(AzureStorageAccess.READ_SAS_VARIABLE));
  }

  @Test
  void anUploadTargetTakesNewBlobsAndOldOnesAreSweptOut() throws Exception {
    UploadTarget target = store.uploadTarget("logs", Duration.ofMinutes(10));
    try {
      assertThat(target.container(), is(base + "-logs"));
      assertThat(target.accountName(), is(Azurite.ACCOUNT));
      assertThat(target.signedUrl(), containsString("sig="));
      assertThat(target.toString(), not(containsString("sig=")));
      // What Batch's node agent does with it: create, and overwrite on a retried task.
      BlobContainerClient agent =
          new BlobContainerClientBuilder()
              .endpoint(target.containerUrl())
              .sasToken(target.sas())
              .buildClient();
      agent.getBlobClient("j/t1/stdout.txt").upload(BinaryData.fromString("first"));
      agent.getBlobClient("j/t1/stdout.txt").upload(BinaryData.fromString("again"), true);
      agent.getBlobClient("j/t2/stdout.txt").upload(BinaryData.fromString("two"));
      agent.getBlobClient("j/t3/stdout.txt").upload(BinaryData.fromString("three"));
      // The grant cannot read, list or delete.
      BlobContainerClient driver =
          EmulatedAzure.storage().getBlobContainerClient(target.container());
      assertThat(driver.getBlobClient("j/t1/stdout.txt").downloadContent().toString(), is("again"));
      BlobStorageException read =
          assertThrows(
              BlobStorageException.class,
              () -> agent.getBlobClient("j/t1/stdout.txt").downloadContent());
      assertThat(read.getStatusCode(), is(403));
      assertThrows(BlobStorageException.class, () -> agent.listBlobs().iterator().hasNext());
      assertThrows(
          BlobStorageException.class, () -> agent.getBlobClient("j/t1/stdout.txt").delete());

      Instant past = Instant.now().minus(Duration.ofHours(1));
      assertThat(store.deleteUploadsBefore("logs", past, 100), is(0));
      Instant future = Instant.now().plus(Duration.ofMinutes(1));
      // The listing is bounded: two of the three at most.
      assertThat(store.deleteUploadsBefore("logs", future, 2), is(2));
      assertThat(store.deleteUploadsBefore("logs", future, 100), is(1));
      assertThat(driver.listBlobs().stream().count(), is(0L));
    } finally {
      EmulatedAzure.storage().getBlobContainerClient(base + "-logs").deleteIfExists();
    }
    assertThat(store.deleteUploadsBefore("logs", Instant.now(), 10), is(0));
  }

  @Test
  void aTaskWithoutCredentialsIsToldWhy() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> BlobStores.open(store.location(), Map.of()));
    assertThat(e.getMessage(), containsString(AzureStorageAccess.READ_SAS_VARIABLE));
  }

  @Test
  void badContainerNamesAreRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AzureBlobStore.forDriver(Azurite.account(), "Bad_Name"));
    assertThat(e.getMessage(), containsString("Bad_Name"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, UTF_8);
  }
}
