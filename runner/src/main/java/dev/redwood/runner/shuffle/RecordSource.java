package dev.redwood.runner.shuffle;

import java.io.Closeable;
import java.io.IOException;

/**
 * A cursor over shuffle records inside this package: the sorted in-memory buffer, a spill file, a
 * map output's partition range, or a merge of those. The current record's bytes live in the
 * source's own buffers (no object per record) and stay valid until the next {@link #advance()}.
 */
interface RecordSource extends Closeable {

  /** Moves to the next record; false when there is none. */
  boolean advance() throws IOException;

  int partition();

  byte[] keyBuffer();

  int keyOffset();

  int keyLength();

  byte[] valueBuffer();

  int valueOffset();

  int valueLength();

  /** Releases streams; safe to call more than once. */
  @Override
  void close() throws IOException;
}
