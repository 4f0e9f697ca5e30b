package dev.redwood.runner.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A blob store in a local directory: the store of the local backend, shared by the driver and every
 * task on this machine (each opens its own instance on the same directory).
 *
 * <p>A key is a relative path under the root. Every write goes to a temporary file under {@code
 * root/.tmp/} and is hard-linked into place, so readers see an object whole or not at all, as the
 * {@link BlobStore} contract requires, and a link to an existing name fails, which makes objects
 * write-once without a window between check and write; {@code .tmp} lives under the root so the
 * link never crosses file systems.
 *
 * <p>Unlike a real object store, a key cannot be both an object and a "directory" of other objects
 * ({@code a} and {@code a/b}); such a write fails with an {@link IOException}.
 *
 * <p>A task opens the store with the grant {@link #taskAccess} put in its environment, and that
 * store enforces what an Azure task's SAS tokens allow: it creates only the keys its attempt was
 * granted, reads and lists only its own job's objects, and deletes nothing. So a writer whose keys
 * disagree with what its stage declares ({@code StageSpec.attemptWrites}) fails here as it would on
 * Azure. Unlike a SAS token the grant is no credential: the directory is open to anything on this
 * machine, and the check is for correctness, not security.
 *
 * <p>Thread safe: all state is in the file system, apart from the set of streams still open.
 */
public final class LocalBlobStore implements BlobStore {
  /** A task's grant: the job whose objects ({@code jobs/<job>/...}) it may read and list. */
  static final String GRANT_JOB_VARIABLE = "REDWOOD_LOCAL_STORE_JOB";

  /** A task's grant: the keys it may create, as a JSON array of strings. */
  static final String GRANT_WRITES_VARIABLE = "REDWOOD_LOCAL_STORE_WRITES";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where writes are staged; reserved, so no key may start with it. */
  private static final String TMP_DIR_NAME = ".tmp";

  /** A write racing with {@link #deletePrefix} may find its parent directory just removed. */
  private static final int MOVE_ATTEMPTS = 5;

  private final Path root;
  private final Path tmpDir;
  private final Set<PendingBlobStream> pendingStreams = ConcurrentHashMap.newKeySet();

  /** What a task's store may do; null for the driver's store, which may do anything. */
  private final AttemptGrant grant;

  private volatile boolean closed;

  /** Opens the store in {@code root} with full rights, creating the directory if needed. */
  public LocalBlobStore(Path root) {
    this(root, null);
  }

  private LocalBlobStore(Path root, AttemptGrant grant) {
    this.grant = grant;
    this.root = root.toAbsolutePath().normalize();
    this.tmpDir = this.root.resolve(TMP_DIR_NAME);
    try {
      // Exists from the start, so location() (a directory URI, ending in '/') never changes.
      Files.createDirectories(this.root);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the blob store directory " + this.root, e);
    }
  }

  /**
   * The store a task opens on {@code root}: limited to the grant that {@link #taskAccess} put in
   * {@code environment}, or with full rights when the environment holds no grant (a task that was
   * not started by a driver, such as a test's).
   *
   * @throws IllegalArgumentException when the grant in the environment is incomplete or malformed
   */
  static LocalBlobStore forTask(Path root, Map<String, String> environment) {
    String job = environment.get(GRANT_JOB_VARIABLE);
    String writes = environment.get(GRANT_WRITES_VARIABLE);
    if (job == null && writes == null) {
      return new LocalBlobStore(root);
    }
    if (job == null || writes == null) {
      throw new IllegalArgumentException(
          "The task's environment holds only part of its store grant: "
              + GRANT_JOB_VARIABLE
              + " and "
              + GRANT_WRITES_VARIABLE
              + " go together");
    }
    List<String> keys;
    try {
      keys = JSON.readValue(writes, new TypeReference<List<String>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "The task's " + GRANT_WRITES_VARIABLE + " is not a JSON array of keys", e);
    }
    return new LocalBlobStore(root, new AttemptGrant(job, Set.copyOf(keys)));
  }

  public Path root() {
    return root;
  }

  @Override
  public String describe(String key) {
    return objectPath(key).toString();
  }

  /**
   * The grant of one attempt, carried in its task's environment as on Azure: the job it reads and
   * the keys it may create. {@code validity} is not enforced: a local grant does not expire.
   */
  @Override
  public Map<String, String> taskAccess(
      String jobId, Collection<String> writeKeys, Duration validity) throws IOException {
    if (jobId.isEmpty() || jobId.indexOf('/') >= 0) {
      throw new IllegalArgumentException("Bad job id '" + jobId + "' for a task's grant");
    }
    return Map.of(
        GRANT_JOB_VARIABLE, jobId, GRANT_WRITES_VARIABLE, JSON.writeValueAsString(writeKeys));
  }

  @Override
  public void put(String key, byte[] bytes) throws IOException {
    Path target = writablePath(key);
    Path temp = newTempFile();
    try {
      Files.write(temp, bytes);
      moveIntoPlace(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  public OutputStream create(String key) throws IOException {
    Path target = writablePath(key);
    PendingBlobStream stream = new PendingBlobStream(target, newTempFile());
    pendingStreams.add(stream);
    if (closed) {
      // close() ran between ensureOpen and add; it may have missed this stream.
      stream.abort();
      throw closedException();
    }
    return stream;
  }

  /**
   * Uploads {@code file}, hard-linking it when it is on the same file system (staged jars are large
   * and never modified after staging); otherwise copies it. Callers must not modify {@code file} in
   * place afterwards, since a link shares its content.
   */
  @Override
  public void putFile(String key, Path file) throws IOException {
    Path target = writablePath(key);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "not a regular file");
    }
    ensureOpen();
    Files.createDirectories(tmpDir);
    // createLink needs a name that does not exist yet, so no createTempFile here.
    Path temp = tmpDir.resolve("link-" + UUID.randomUUID() + ".tmp");
    try {
      try {
        Files.createLink(temp, file);
      } catch (UnsupportedOperationException | FileSystemException e) {
        // Another file system (EXDEV) or no hard links there: copy instead.
        Files.copy(file, temp, StandardCopyOption.REPLACE_EXISTING);
      }
      moveIntoPlace(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  public String readUrl(String key, Duration validity) throws IOException {
    if (grant != null) {
      // As on Azure, where a task's tokens cannot sign anything.
      throw new UnsupportedOperationException("A task cannot hand out URLs of the store's objects");
    }
    return existingObject(key).toUri().toString();
  }

  @Override
  public byte[] get(String key) throws IOException {
    Path file = existingObject(key);
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(key);
    }
  }

  @Override
  public InputStream open(String key) throws IOException {
    Path file = existingObject(key);
    try {
      return new BufferedInputStream(Files.newInputStream(file));
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(key);
    }
  }

  @Override
  public InputStream openRange(String key, long offset, long length) throws IOException {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "Bad range of '" + key + "': offset " + offset + ", length " + length);
    }
    Path file = existingObject(key);
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(key);
    }
    try {
      channel.position(offset);
      return new BufferedInputStream(
          new BoundedInputStream(Channels.newInputStream(channel), length));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public void download(String key, Path target) throws IOException {
    Path source = existingObject(key);
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    // Copy next to the target then rename, so the target is never seen half written.
    Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".part");
    try {
      try {
        Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
      } catch (NoSuchFileException e) {
        if (!Files.exists(source)) {
          throw new BlobNotFoundException(key);
        }
        throw e;
      }
      moveReplacing(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  public boolean exists(String key) throws IOException {
    ensureOpen();
    return Files.isRegularFile(readablePath(key));
  }

  @Override
  public long size(String key) throws IOException {
    Path file = existingObject(key);
    try {
      return Files.size(file);
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(key);
    }
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    ensureOpen();
    if (grant != null && !prefix.startsWith(grant.readPrefix())) {
      throw grant.refusedRead(prefix);
    }
    List<String> keys = new ArrayList<>();
    Path start = walkStart(prefix);
    if (start == null) {
      return keys;
    }
    Files.walkFileTree(
        start,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return dir.equals(tmpDir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile()) {
              String key = keyOf(file);
              if (key.startsWith(prefix)) {
                keys.add(key);
              }
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            // Deleted by someone else while we walked: simply not listed.
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
    Collections.sort(keys);
    return keys;
  }

  @Override
  public void delete(String key) throws IOException {
    ensureOpen();
    refuseDeleteInTask(key);
    Path file = objectPath(key);
    if (Files.isRegularFile(file) && Files.deleteIfExists(file)) {
      pruneEmptyParents(file);
    }
  }

  @Override
  public void deletePrefix(String prefix) throws IOException {
    refuseDeleteInTask(prefix);
    for (String key : list(prefix)) {
      Path file = root.resolve(key);
      if (Files.deleteIfExists(file)) {
        pruneEmptyParents(file);
      }
    }
  }

  @Override
  public String location() {
    return root.toUri().toString();
  }

  /** Aborts the streams that were never closed and deletes their temporary files. */
  @Override
  public void close() throws IOException {
    closed = true;
    IOException failure = null;
    for (PendingBlobStream stream : pendingStreams) {
      try {
        stream.abort();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "LocalBlobStore(" + root + ")";
  }

  // --- keys and paths ---

  /** The file of {@code key}, after checking that the key stays inside the root. */
  private Path objectPath(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("Blob key must not be empty");
    }
    if (key.startsWith("/") || key.indexOf('\\') >= 0 || key.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "Bad blob key '" + key + "': keys are relative paths separated by '/'");
    }
    String[] segments = key.split("/", -1);
    for (String segment : segments) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "Bad blob key '" + key + "': empty, '.' or '..' path segment");
      }
    }
    if (segments[0].equals(TMP_DIR_NAME)) {
      throw new IllegalArgumentException(
          "Bad blob key '" + key + "': '" + TMP_DIR_NAME + "/' is reserved by the local store");
    }
    Path path = root.resolve(key).normalize();
    if (!path.startsWith(root) || path.equals(root)) {
      throw new IllegalArgumentException("Bad blob key '" + key + "': outside the store");
    }
    return path;
  }

  /** The file of {@code key}, which this store may create (a task: a key of its grant). */
  private Path writablePath(String key) throws IOException {
    Path path = objectPath(key);
    if (grant != null && !grant.writes().contains(key)) {
      throw new IOException(
          "This task may not write '"
              + key
              + "': the key is outside the attempt's grant, which covers only the "
              + grant.writes().size()
              + " objects its stage declares it writes");
    }
    return path;
  }

  /** The file of {@code key}, which this store may read (a task: an object of its job). */
  private Path readablePath(String key) throws IOException {
    Path path = objectPath(key);
    if (grant != null && !key.startsWith(grant.readPrefix())) {
      throw grant.refusedRead(key);
    }
    return path;
  }

  /** A task's grant has no delete right, as an Azure task's tokens have none. */
  private void refuseDeleteInTask(String keyOrPrefix) throws IOException {
    if (grant != null) {
      throw new IOException(
          "This task may not delete '"
              + keyOrPrefix
              + "': the attempt's grant has no delete right");
    }
  }

  private Path existingObject(String key) throws IOException {
    ensureOpen();
    Path file = readablePath(key);
    if (!Files.isRegularFile(file)) {
      throw new BlobNotFoundException(key);
    }
    return file;
  }

  private String keyOf(Path file) {
    return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  /**
   * The deepest existing directory that holds every key starting with {@code prefix}: the part of
   * the prefix up to its last '/', since the rest may be a partial name ({@code a/b} matches {@code
   * a/bc}). Null when there is none.
   */
  private Path walkStart(String prefix) {
    if (prefix.indexOf('\\') >= 0 || prefix.startsWith("/")) {
      throw new IllegalArgumentException("Bad blob key prefix '" + prefix + "'");
    }
    int slash = prefix.lastIndexOf('/');
    Path dir = slash < 0 ? root : root.resolve(prefix.substring(0, slash)).normalize();
    if (!dir.startsWith(root)) {
      throw new IllegalArgumentException("Bad blob key prefix '" + prefix + "': outside the store");
    }
    return Files.isDirectory(dir) ? dir : null;
  }

  // --- writing ---

  private Path newTempFile() throws IOException {
    ensureOpen();
    Files.createDirectories(tmpDir);
    return Files.createTempFile(tmpDir, "blob-", ".tmp");
  }

  /** Renames a finished temporary file to its key, creating parent directories as needed. */
  private void moveIntoPlace(Path temp, Path target) throws IOException {
    for (int attempt = 1; ; attempt++) {
      Files.createDirectories(target.getParent());
      try {
        Files.createLink(target, temp);
        Files.delete(temp);
        return;
      } catch (FileAlreadyExistsException e) {
        throw new BlobExistsException(keyOf(target));
      } catch (NoSuchFileException e) {
        // A concurrent deletePrefix removed the (then empty) parent directory: try again.
        if (attempt >= MOVE_ATTEMPTS || !Files.exists(temp)) {
          throw e;
        }
      }
    }
  }

  private static void moveReplacing(Path source, Path target) throws IOException {
    try {
      Files.move(
          source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      // Only for download targets on another file system than their temp file; never in-store.
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Removes directories left empty by a delete, up to (not including) the root. */
  private void pruneEmptyParents(Path file) throws IOException {
    for (Path dir = file.getParent();
        dir != null && dir.startsWith(root) && !dir.equals(root);
        dir = dir.getParent()) {
      try {
        Files.delete(dir);
      } catch (DirectoryNotEmptyException | NoSuchFileException e) {
        return;
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private IllegalStateException closedException() {
    return new IllegalStateException(this + " is closed");
  }

  /** What a task's store may do: read and list under {@code jobs/<job>/}, create {@code writes}. */
  private record AttemptGrant(String job, Set<String> writes) {
    String readPrefix() {
      return "jobs/" + job + "/";
    }

    IOException refusedRead(String keyOrPrefix) {
      return new IOException(
          "This task may not read '"
              + keyOrPrefix
              + "': the attempt's grant reads only its own job's objects, "
              + readPrefix());
    }
  }

  /** A streaming write: bytes go to a temporary file that becomes the object on close. */
  private final class PendingBlobStream extends OutputStream {
    private final Path target;
    private final Path temp;
    private final OutputStream out;
    private boolean finished;
    private boolean aborted;

    PendingBlobStream(Path target, Path temp) throws IOException {
      this.target = target;
      this.temp = temp;
      this.out = new BufferedOutputStream(Files.newOutputStream(temp), 64 * 1024);
    }

    @Override
    public synchronized void write(int b) throws IOException {
      ensureWritable();
      out.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      ensureWritable();
      out.write(b, off, len);
    }

    @Override
    public synchronized void flush() throws IOException {
      ensureWritable();
      out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
      if (aborted) {
        throw new IOException(
            "Write of '" + keyOf(target) + "' was aborted because the blob store was closed");
      }
      if (finished) {
        return;
      }
      finished = true;
      pendingStreams.remove(this);
      try {
        out.close();
        moveIntoPlace(temp, target);
      } finally {
        Files.deleteIfExists(temp);
      }
    }

    synchronized void abort() throws IOException {
      if (finished) {
        return;
      }
      finished = true;
      aborted = true;
      pendingStreams.remove(this);
      try {
        out.close();
      } finally {
        Files.deleteIfExists(temp);
      }
    }

    private void ensureWritable() throws IOException {
      if (finished) {
        throw new IOException(
            "Write of '" + keyOf(target) + "' is " + (aborted ? "aborted" : "already closed"));
      }
    }
  }

  /** Reads at most {@code remaining} bytes of the stream it wraps: one ranged read. */
  private static final class BoundedInputStream extends InputStream {
    private final InputStream in;
    private long remaining;

    BoundedInputStream(InputStream in, long length) {
      this.in = in;
      this.remaining = length;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = in.skip(Math.min(n, remaining));
      remaining -= skipped;
      return skipped;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(in.available(), remaining);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
