package dev.redwood.runner.worker;

import java.io.ByteArrayOutputStream;

/** A reusable encoding buffer whose bytes are read in place, saving a copy per record. */
final class EncodeBuffer extends ByteArrayOutputStream {
  EncodeBuffer() {
    super(256);
  }

  /** The internal array; valid bytes are {@code [0, size())}. */
  byte[] array() {
    return buf;
  }
}
