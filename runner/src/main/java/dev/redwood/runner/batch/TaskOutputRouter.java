package dev.redwood.runner.batch;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;

/**
 * Replaces {@code System.out} and {@code System.err} so that each task's prints land in its own
 * {@code stdout.txt} and {@code stderr.txt}.
 *
 * <p>Why: on Azure Batch every task is its own process, so its standard streams are its files. A
 * local node runs many tasks in one JVM, where {@code System.out} is a single global. The
 * replacement streams look up the writing thread's task (an {@link InheritableThreadLocal}, so
 * threads a task starts write to the task's files too) and fall back to the JVM's original streams
 * for every other thread and once the task's files are closed.
 *
 * <p>Installed at most once per JVM; installing again only re-wraps when someone else replaced
 * {@code System.out}/{@code System.err} in the meantime.
 */
public final class TaskOutputRouter {
  private static final InheritableThreadLocal<TaskOutput> CURRENT = new InheritableThreadLocal<>();
  private static PrintStream installedOut;
  private static PrintStream installedErr;

  private TaskOutputRouter() {}

  /** Where one task's output goes. Closing it sends later writes back to the original streams. */
  public static final class TaskOutput implements AutoCloseable {
    private final PrintStream out;
    private final PrintStream err;
    private volatile boolean closed;

    public TaskOutput(PrintStream out, PrintStream err) {
      this.out = out;
      this.err = err;
    }

    public PrintStream out() {
      return out;
    }

    public PrintStream err() {
      return err;
    }

    @Override
    public void close() {
      closed = true;
      out.close();
      err.close();
    }
  }

  /** Routes {@code System.out}/{@code System.err} through this class, if not yet done. */
  public static synchronized void install() {
    if (System.out != installedOut) {
      installedOut = routed(System.out, false);
      System.setOut(installedOut);
    }
    if (System.err != installedErr) {
      installedErr = routed(System.err, true);
      System.setErr(installedErr);
    }
  }

  /**
   * Makes the current thread (and threads it starts from now on) write to {@code output}.
   *
   * @return the previous binding, for {@link #restore}
   */
  public static TaskOutput bind(TaskOutput output) {
    TaskOutput previous = CURRENT.get();
    CURRENT.set(output);
    return previous;
  }

  public static void restore(TaskOutput previous) {
    if (previous == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(previous);
    }
  }

  private static PrintStream routed(PrintStream original, boolean isErr) {
    // Same encoding as the JVM's own streams, so the fallback receives the bytes it expects.
    return new PrintStream(new RoutingStream(original, isErr), true, consoleCharset());
  }

  private static Charset consoleCharset() {
    String name = System.getProperty("sun.stdout.encoding");
    try {
      return name == null ? Charset.defaultCharset() : Charset.forName(name);
    } catch (IllegalArgumentException e) {
      return Charset.defaultCharset();
    }
  }

  /** Sends each write to the writing thread's task, else to the original stream. */
  private static final class RoutingStream extends OutputStream {
    private final PrintStream fallback;
    private final boolean isErr;

    RoutingStream(PrintStream fallback, boolean isErr) {
      this.fallback = fallback;
      this.isErr = isErr;
    }

    private PrintStream target() {
      TaskOutput output = CURRENT.get();
      if (output == null || output.closed) {
        return fallback;
      }
      return isErr ? output.err : output.out;
    }

    @Override
    public void write(int b) throws IOException {
      target().write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      target().write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      target().flush();
    }

    @Override
    public void close() {
      // System.out is closed by nobody we care about; never close a task's files from here.
      target().flush();
    }
  }
}
