package dev.redwood.runner.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The object store a pipeline run lives in: staged code, stage specs, shuffle objects, side-input
 * materializations, manifests and commit records.
 *
 * <p>Keys are relative, '/'-separated paths ({@code jobs/j1/stages/3/spec}). A written object
 * becomes visible whole or not at all, so a reader never sees half an object; this is what the
 * commit protocol's "manifest written last" relies on. Objects are written once: a write to an
 * existing key fails with {@link BlobExistsException}, so nothing a manifest names can change under
 * a reader, and a task's credentials need only create, never overwrite, rights. Readers of task
 * outputs only open objects that an accepted manifest names, so an object a failed attempt left
 * behind is never read.
 */
public interface BlobStore extends AutoCloseable {

  /** Writes {@code bytes} as the object {@code key}; {@link BlobExistsException} if it exists. */
  void put(String key, byte[] bytes) throws IOException;

  /**
   * Opens a streaming write of {@code key}. The object appears when the stream is closed (which
   * throws {@link BlobExistsException} if it exists by then); a stream that is never closed leaves
   * nothing behind once {@link #close()} runs.
   */
  OutputStream create(String key) throws IOException;

  /** Uploads a local file as {@code key}; {@link BlobExistsException} if it exists. */
  void putFile(String key, Path file) throws IOException;

  /** Reads a whole object. Throws {@link BlobNotFoundException} when there is none. */
  byte[] get(String key) throws IOException;

  /** Opens an object for reading. Throws {@link BlobNotFoundException} when there is none. */
  InputStream open(String key) throws IOException;

  /** Opens {@code length} bytes starting at {@code offset} (a ranged read). */
  InputStream openRange(String key, long offset, long length) throws IOException;

  /** Downloads an object into a local file, replacing it. */
  void download(String key, Path target) throws IOException;

  boolean exists(String key) throws IOException;

  /** Size in bytes. Throws {@link BlobNotFoundException} when there is none. */
  long size(String key) throws IOException;

  /** Every key that starts with {@code prefix}, sorted. */
  List<String> list(String prefix) throws IOException;

  /** Deletes one object; no error when it is absent. */
  void delete(String key) throws IOException;

  /** Deletes every object whose key starts with {@code prefix}. */
  void deletePrefix(String prefix) throws IOException;

  /**
   * What a task needs in its environment to open this store again with {@link BlobStores#open}:
   * read access to the job's objects and create access to exactly {@code writeKeys}, both expiring
   * after {@code validity}. The values are credentials (SAS tokens on Azure): they go into a task's
   * environment, never into its command line or a log. The local store's grant is no credential,
   * only the job and the keys, but its task stores enforce it the same way (see {@link
   * LocalBlobStore}), so a task that writes other keys than it declared fails locally too.
   */
  default Map<String, String> taskAccess(
      String jobId, Collection<String> writeKeys, Duration validity) throws IOException {
    return Map.of();
  }

  /**
   * The storage account whose containers tasks can reach through Beam's {@code azfs://} filesystem
   * with credentials granted by {@link #azfsAccess}, or null when tasks need no grant (the local
   * store: nodes run on this machine with the pipeline's own options).
   */
  default String azfsAccount() {
    return null;
  }

  /**
   * What a task needs in its environment to read and write {@code containers} of {@link
   * #azfsAccount()} through Beam's {@code azfs://} filesystem (see {@link TaskAzfsClients}),
   * expiring after {@code validity}. Credentials, like {@link #taskAccess}'s.
   *
   * @throws IllegalArgumentException naming a container that does not exist
   */
  default Map<String, String> azfsAccess(Collection<String> containers, Duration validity)
      throws IOException {
    return Map.of();
  }

  /**
   * The longest validity this store can give a grant ({@link #taskAccess}, {@link #azfsAccess},
   * {@link #readUrl}), or null when it has no limit.
   */
  default Duration maxGrantValidity() {
    return null;
  }

  /** Why {@link #maxGrantValidity()} is what it is, for messages; null when there is no limit. */
  default String grantLimitReason() {
    return null;
  }

  /**
   * A container beside this store's own, {@code <base container>-<suffix>}, that Batch's node agent
   * uploads files into (a task's {@code outputFiles}), with a grant to create and write its blobs
   * for {@code validity}. The container is created when missing.
   *
   * @throws UnsupportedOperationException for a store that Batch nodes cannot upload into (the
   *     local store: its nodes' files stay on this machine)
   */
  default UploadTarget uploadTarget(String suffix, Duration validity) throws IOException {
    throw new UnsupportedOperationException("This blob store takes no uploads from Batch nodes");
  }

  /**
   * Deletes the blobs of the {@link #uploadTarget} container {@code suffix} that were last modified
   * before {@code cutoff}, looking at no more than {@code maxListed} blobs (oldest names first is
   * not promised); returns how many it deleted. No error when the container does not exist.
   */
  default int deleteUploadsBefore(String suffix, Instant cutoff, int maxListed) throws IOException {
    return 0;
  }

  /**
   * A URL a node can download {@code key} from without other credentials, valid for {@code
   * validity} (on Azure a read-only SAS URL of that one object; locally a {@code file:} URL).
   */
  String readUrl(String key, Duration validity) throws IOException;

  /**
   * Where a task finds this store again: a location string that {@link BlobStores#open} turns back
   * into a store (for the local store, a {@code file:} URI). Never contains a secret.
   */
  String location();

  /**
   * Where a person finds {@code key}, for messages (a file path, a blob URL); never contains a
   * secret.
   */
  default String describe(String key) {
    return location() + " " + key;
  }

  @Override
  default void close() throws IOException {}
}
