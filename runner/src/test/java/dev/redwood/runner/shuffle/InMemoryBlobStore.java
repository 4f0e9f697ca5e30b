package dev.redwood.runner.shuffle;

import dev.redwood.runner.storage.BlobExistsException;
import dev.redwood.runner.storage.BlobNotFoundException;
import dev.redwood.runner.storage.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A blob store in a map, for shuffle tests. Records every call ("get key", "openRange key"...),
 * counts the bytes asked for by ranged reads, tracks how many read streams are open, and can fail
 * stream writes.
 */
final class InMemoryBlobStore implements BlobStore {
  private final Map<String, byte[]> objects = new ConcurrentSkipListMap<>();
  final List<String> calls = new CopyOnWriteArrayList<>();
  final AtomicLong rangeBytesRequested = new AtomicLong();
  final AtomicInteger openStreams = new AtomicInteger();
  final AtomicInteger maxOpenStreams = new AtomicInteger();

  /** Makes writes to streams from {@link #create} fail, like a lost connection. */
  volatile boolean failStreamWrites;

  @Override
  public void put(String key, byte[] bytes) throws IOException {
    calls.add("put " + key);
    writeOnce(key, bytes.clone());
  }

  @Override
  public OutputStream create(String key) {
    calls.add("create " + key);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    return new OutputStream() {
      private boolean closed;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (failStreamWrites) {
          throw new IOException("Injected write failure");
        }
        bytes.write(b, off, len);
      }

      /** The object appears only now, as BlobStore.create promises. */
      @Override
      public void close() throws IOException {
        if (!closed) {
          closed = true;
          writeOnce(key, bytes.toByteArray());
        }
      }
    };
  }

  @Override
  public void putFile(String key, Path file) throws IOException {
    calls.add("putFile " + key);
    writeOnce(key, Files.readAllBytes(file));
  }

  private void writeOnce(String key, byte[] bytes) throws BlobExistsException {
    if (objects.putIfAbsent(key, bytes) != null) {
      throw new BlobExistsException(key);
    }
  }

  @Override
  public String readUrl(String key, java.time.Duration validity) {
    throw new UnsupportedOperationException("An in-memory store has no URLs");
  }

  @Override
  public byte[] get(String key) throws IOException {
    calls.add("get " + key);
    return object(key).clone();
  }

  @Override
  public InputStream open(String key) throws IOException {
    calls.add("open " + key);
    return tracked(new ByteArrayInputStream(object(key)));
  }

  @Override
  public InputStream openRange(String key, long offset, long length) throws IOException {
    calls.add("openRange " + key);
    byte[] bytes = object(key);
    if (offset < 0 || length < 0 || offset + length > bytes.length) {
      throw new IOException("Range " + offset + "+" + length + " outside '" + key + "'");
    }
    rangeBytesRequested.addAndGet(length);
    return tracked(new ByteArrayInputStream(bytes, (int) offset, (int) length));
  }

  @Override
  public void download(String key, Path target) throws IOException {
    calls.add("download " + key);
    Files.write(target, object(key));
  }

  @Override
  public boolean exists(String key) {
    return objects.containsKey(key);
  }

  @Override
  public long size(String key) throws IOException {
    return object(key).length;
  }

  @Override
  public List<String> list(String prefix) {
    return objects.keySet().stream().filter(k -> k.startsWith(prefix)).sorted().toList();
  }

  @Override
  public void delete(String key) {
    objects.remove(key);
  }

  @Override
  public void deletePrefix(String prefix) {
    objects.keySet().removeIf(k -> k.startsWith(prefix));
  }

  @Override
  public String location() {
    return "memory:";
  }

  private byte[] object(String key) throws BlobNotFoundException {
    byte[] bytes = objects.get(key);
    if (bytes == null) {
      throw new BlobNotFoundException(key);
    }
    return bytes;
  }

  private InputStream tracked(InputStream in) {
    maxOpenStreams.accumulateAndGet(openStreams.incrementAndGet(), Math::max);
    return new FilterInputStream(in) {
      private boolean closed;

      @Override
      public void close() throws IOException {
        if (!closed) {
          closed = true;
          openStreams.decrementAndGet();
        }
        super.close();
      }
    };
  }
}
