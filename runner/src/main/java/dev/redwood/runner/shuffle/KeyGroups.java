package dev.redwood.runner.shuffle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Groups consecutive records of a sorted {@link ShuffleReader} by equal key: the reduce side's view
 * of a GroupByKey. Values are streamed, never collected, so a hot key does not need to fit in
 * memory.
 */
public final class KeyGroups {
  private final ShuffleReader reader;
  private final Iterator<byte[]> values = new Values();
  private boolean started;

  /** The reader is on a record. */
  private boolean hasRecord;

  /** The reader's record has already been handed out by {@link #values()}. */
  private boolean consumed;

  /** The reader's record belongs to the current key. */
  private boolean inGroup;

  private byte[] key;

  public KeyGroups(ShuffleReader sortedReader) {
    this.reader = sortedReader;
  }

  /** Advances to the next distinct key, skipping unread values of the current one. */
  public boolean nextKey() throws IOException {
    if (!started) {
      started = true;
      hasRecord = reader.advance();
    } else {
      while (hasNextValue()) {
        consumed = true;
      }
    }
    if (!hasRecord) {
      key = null;
      return false;
    }
    key = reader.key();
    consumed = false;
    inGroup = true;
    return true;
  }

  /** The current key (do not mutate). */
  public byte[] key() {
    if (key == null) {
      throw new IllegalStateException(
          "No current key: nextKey() first, and only while it returns true");
    }
    return key;
  }

  /** Single-pass iterator over the current key's values; valid until nextKey(). */
  public Iterator<byte[]> values() {
    key();
    return values;
  }

  private boolean hasNextValue() throws IOException {
    if (key == null) {
      return false;
    }
    if (consumed && inGroup) {
      hasRecord = reader.advance();
      consumed = false;
      inGroup = hasRecord && reader.keyEquals(key);
    }
    return hasRecord && inGroup;
  }

  private final class Values implements Iterator<byte[]> {
    @Override
    public boolean hasNext() {
      try {
        return hasNextValue();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public byte[] next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      consumed = true;
      return reader.value();
    }
  }
}
