package dev.redwood.runner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What a piece of code writes to {@code System.err}, where the runner's progress lines, its
 * one-line reports and its SLF4J log (slf4j-simple) go: for tests that check those lines.
 */
public final class CapturedStderr {
  private CapturedStderr() {}

  /** What {@code run} writes to stderr; also passed on to the real stderr when {@code echo}. */
  public static String of(Runnable run, boolean echo) {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    OutputStream target =
        !echo
            ? captured
            : new OutputStream() {
              @Override
              public synchronized void write(int c) throws IOException {
                saved.write(c);
                captured.write(c);
              }

              @Override
              public synchronized void write(byte[] b, int off, int len) throws IOException {
                saved.write(b, off, len);
                captured.write(b, off, len);
              }
            };
    System.setErr(new PrintStream(target, true, StandardCharsets.UTF_8));
    try {
      run.run();
    } finally {
      System.setErr(saved);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
