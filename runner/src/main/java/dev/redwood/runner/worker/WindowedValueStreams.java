package dev.redwood.runner.worker;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * The framing of a materialized PCollection object (side inputs, residual restrictions): each
 * element is preceded by a marker byte, and a 0 marker ends the object, so a truncated object is
 * detected.
 */
final class WindowedValueStreams {
  private WindowedValueStreams() {}

  static void writeElement(DataOutputStream out, Coder<WindowedValue<?>> coder, WindowedValue<?> e)
      throws IOException {
    out.writeByte(1);
    coder.encode(e, out);
  }

  static void writeEnd(OutputStream out) throws IOException {
    out.write(0);
  }

  /** Takes the elements read; {@code E} is what it may throw. */
  interface Sink<E extends Exception> {
    void accept(WindowedValue<?> element) throws E;
  }

  /** Reads elements until the end marker; returns how many. */
  static <E extends Exception> long readAll(
      InputStream in, Coder<WindowedValue<?>> coder, String key, Sink<E> sink)
      throws IOException, E {
    DataInputStream data = new DataInputStream(in);
    for (long n = 0; ; n++) {
      int marker = data.read();
      if (marker == 0) {
        return n;
      }
      if (marker != 1) {
        throw new EOFException("Materialized PCollection object '" + key + "' is truncated");
      }
      sink.accept(coder.decode(data));
    }
  }
}
