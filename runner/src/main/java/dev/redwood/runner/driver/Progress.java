package dev.redwood.runner.driver;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of a run on stderr. On a terminal, one line per running stage that is redrawn in place
 * (a bar of tasks done and running, failed attempts, throughput, ETA), as build tools do; a stage's
 * last line stays when it ends. Elsewhere (a log file, CI), a line when a stage starts and ends and
 * at most one every {@link #LINE_INTERVAL_NANOS} while its counts change, so a long run's log does
 * not grow with every task. Then a summary of the run.
 */
final class Progress {
  private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

  /** How often a changing stage gets a line when stderr is not a terminal. */
  static final long LINE_INTERVAL_NANOS = 5_000_000_000L;

  /** How often the in-place lines are redrawn on a terminal: often enough to look alive. */
  static final long REDRAW_INTERVAL_NANOS = 200_000_000L;

  private static final int BAR_WIDTH = 24;
  private static final String ESC = "\u001b[";

  /** Where progress goes. */
  enum Output {
    /** A terminal: lines redrawn in place with ANSI cursor movement. */
    TERMINAL,
    /** A file or pipe: plain lines, rate-limited. */
    LINES,
    /** {@code --quiet}: only the summary, and that in the log. */
    QUIET
  }

  /**
   * What a progress line shows of a stage.
   *
   * @param index the stage's position in the plan, from 0
   * @param succeeded tasks with an accepted attempt (reused ones included)
   * @param reused tasks an earlier session of a resumed run did
   * @param failed attempts that failed or lost their node
   * @param startedNanos when the stage started, on the progress clock
   * @param endedNanos when it ended, or 0
   */
  record StageLine(
      int index,
      String name,
      int succeeded,
      int tasks,
      int reused,
      int running,
      int failed,
      long startedNanos,
      long endedNanos) {

    String counts() {
      return succeeded
          + "/"
          + tasks
          + " tasks succeeded"
          + (reused == 0 ? "" : " (" + reused + " reused)")
          + ", "
          + running
          + " running, "
          + failed
          + " failed";
    }
  }

  private final PrintStream out;
  private final Output mode;
  private final int stageCount;
  private final LongSupplier clock;
  private final int columns;

  /** Per stage index: when its last line was printed and what it said. */
  private final Map<Integer, Long> lastPrinted = new HashMap<>();

  private final Map<Integer, String> lastCounts = new HashMap<>();

  /** Terminal mode: the running stages whose lines are drawn at the bottom, in order. */
  private final Map<Integer, StageLine> live = new LinkedHashMap<>();

  /** Terminal mode: lines to print above the live lines at the next redraw. */
  private final List<String> permanent = new ArrayList<>();

  private int drawnLines;
  private long lastRedraw = Long.MIN_VALUE;

  /** Another writer's text cleared the live lines: draw them again at the next chance. */
  private boolean cleared;

  /** Another writer's text does not end with a newline yet: drawing now would split its line. */
  private boolean foreignLineOpen;

  /** System.err before {@link #takeOverStderr}, restored by {@link #close}. */
  private PrintStream replacedStderr;

  private PrintStream stderrWrapper;

  Progress(PrintStream out, boolean quiet, int stageCount) {
    this(out, quiet ? Output.QUIET : detect(), stageCount, System::nanoTime, columns());
  }

  Progress(PrintStream out, Output mode, int stageCount, LongSupplier clock, int columns) {
    this.out = out;
    this.mode = mode;
    this.stageCount = stageCount;
    this.clock = clock;
    this.columns = columns;
  }

  /**
   * Whether stderr is a terminal that understands cursor movement. On Linux the link of file
   * descriptor 2 says it (a pseudo-terminal or a console); elsewhere the JDK only tells whether the
   * process has a console (stdin and stdout on a terminal), the usual sign that stderr is one too.
   * TERM=dumb (Emacs shells, some CI) asks for plain lines.
   */
  static Output detect() {
    String term = System.getenv("TERM");
    if (term == null || term.equals("dumb")) {
      return Output.LINES;
    }
    boolean terminal;
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      terminal = target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      terminal = System.console() != null;
    }
    return terminal ? Output.TERMINAL : Output.LINES;
  }

  private static int columns() {
    try {
      int c = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100"));
      return Math.max(40, c);
    } catch (NumberFormatException e) {
      return 100;
    }
  }

  Output mode() {
    return mode;
  }

  /** The progress clock, for stage start and end times. */
  long now() {
    return clock.getAsLong();
  }

  /**
   * Shows a stage's counts: always when {@code force} (a stage starts or ends), else when the
   * counts changed and the mode's interval has passed.
   */
  synchronized void stage(StageLine stage, boolean force) {
    switch (mode) {
      case QUIET -> {}
      case LINES -> lines(stage, force);
      case TERMINAL -> terminal(stage, force);
    }
  }

  private void lines(StageLine stage, boolean force) {
    long now = clock.getAsLong();
    String counts = stage.counts();
    Long last = lastPrinted.get(stage.index());
    if (!force
        && last != null
        && (now - last < LINE_INTERVAL_NANOS || counts.equals(lastCounts.get(stage.index())))) {
      return;
    }
    lastPrinted.put(stage.index(), now);
    lastCounts.put(stage.index(), counts);
    out.println(plainLine(stage, now));
  }

  /** The line a log gets: the counts, the stage's time, then its pace when there is one. */
  String plainLine(StageLine stage, long now) {
    return String.format(
            Locale.ROOT,
            "[redwood] stage %d/%d %s: %s, %.1fs",
            stage.index() + 1,
            stageCount,
            stage.name(),
            stage.counts(),
            elapsedSeconds(stage, now))
        + pace(stage, now);
  }

  private void terminal(StageLine stage, boolean force) {
    long now = clock.getAsLong();
    if (stage.endedNanos() != 0) {
      live.remove(stage.index());
      permanent.add(plainLine(stage, now));
    } else {
      live.put(stage.index(), stage);
    }
    if (foreignLineOpen
        || !force && !cleared && permanent.isEmpty() && now - lastRedraw < REDRAW_INTERVAL_NANOS) {
      return;
    }
    lastRedraw = now;
    redraw(now);
  }

  /** Clears the live lines, prints the lines that stay above them, then draws them again. */
  private void redraw(long now) {
    StringBuilder screen = new StringBuilder();
    if (drawnLines > 0) {
      // To the start of the first live line, then clear to the end of the screen.
      screen.append(ESC).append(drawnLines).append('F').append(ESC).append('J');
    }
    for (String line : permanent) {
      screen.append(line).append('\n');
    }
    permanent.clear();
    for (StageLine s : live.values()) {
      screen.append(fit(barLine(s, now))).append('\n');
    }
    drawnLines = live.size();
    cleared = false;
    out.print(screen);
    out.flush();
  }

  /**
   * Routes System.err through {@link #aboveLiveLines()} while the run goes, so that log lines
   * (retries, warnings) print above the live lines instead of being drawn over. Only on a terminal
   * and only when this progress writes to System.err.
   */
  synchronized void takeOverStderr() {
    if (mode != Output.TERMINAL || System.err != out || replacedStderr != null) {
      return;
    }
    replacedStderr = System.err;
    stderrWrapper = aboveLiveLines();
    System.setErr(stderrWrapper);
  }

  /** Gives System.err back, unless someone replaced it since (then theirs stays). */
  synchronized void close() {
    if (replacedStderr != null && System.err == stderrWrapper) {
      System.setErr(replacedStderr);
    }
    replacedStderr = null;
  }

  /**
   * A stream for other writers on a terminal: before their text, the live lines are cleared; they
   * are drawn again below it at the next stage update once the text's line is complete.
   */
  PrintStream aboveLiveLines() {
    OutputStream above =
        new OutputStream() {
          @Override
          public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            synchronized (Progress.this) {
              if (len == 0) {
                return;
              }
              if (drawnLines > 0) {
                out.print(ESC + drawnLines + "F" + ESC + "J");
                drawnLines = 0;
                cleared = true;
              }
              out.write(b, off, len);
              out.flush();
              foreignLineOpen = b[off + len - 1] != '\n';
            }
          }

          @Override
          public void flush() {
            out.flush();
          }
        };
    return new PrintStream(above, true, stderrCharset());
  }

  /**
   * A terminal's live line: a bar of done ('=') and running ('>') tasks, counts, the stage's time,
   * pace, then the stage's name, which is cut to the terminal's width.
   */
  String barLine(StageLine stage, long now) {
    int tasks = Math.max(1, stage.tasks());
    int done = stage.succeeded() * BAR_WIDTH / tasks;
    int running = Math.min(BAR_WIDTH - done, (stage.running() * BAR_WIDTH + tasks - 1) / tasks);
    String bar = "=".repeat(done) + ">".repeat(running) + " ".repeat(BAR_WIDTH - done - running);
    return String.format(
            Locale.ROOT,
            "[redwood] %d/%d [%s] %d/%d done, %d running, %d failed, %.0fs%s",
            stage.index() + 1,
            stageCount,
            bar,
            stage.succeeded(),
            stage.tasks(),
            stage.running(),
            stage.failed(),
            elapsedSeconds(stage, now),
            pace(stage, now))
        + " "
        + stage.name();
  }

  /** Tasks per second this session and the time left at that pace, when known. */
  private static String pace(StageLine stage, long now) {
    double seconds = elapsedSeconds(stage, now);
    int doneHere = stage.succeeded() - stage.reused();
    if (doneHere <= 0 || seconds <= 0) {
      return "";
    }
    double perSecond = doneHere / seconds;
    int left = stage.tasks() - stage.succeeded();
    String rate = String.format(Locale.ROOT, ", %.2f tasks/s", perSecond);
    if (left <= 0 || stage.endedNanos() != 0) {
      return rate;
    }
    return rate + ", ETA " + duration(left / perSecond);
  }

  private static double elapsedSeconds(StageLine stage, long now) {
    long end = stage.endedNanos() != 0 ? stage.endedNanos() : now;
    return stage.startedNanos() == 0 ? 0 : (end - stage.startedNanos()) / 1e9;
  }

  private static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }

  /** Cuts a live line to the terminal's width: a wrapped line would break the cursor movement. */
  private String fit(String line) {
    return line.length() < columns ? line : line.substring(0, columns - 2) + "\u2026";
  }

  /** The charset System.err encodes with: a console's when stderr is one, else the default. */
  private static Charset stderrCharset() {
    for (String property : List.of("stderr.encoding", "sun.stderr.encoding")) {
      String name = System.getProperty(property);
      if (name != null && Charset.isSupported(name)) {
        return Charset.forName(name);
      }
    }
    return Charset.defaultCharset();
  }

  synchronized void line(String text) {
    switch (mode) {
      case QUIET -> {}
      case LINES -> out.println("[redwood] " + text);
      case TERMINAL -> {
        permanent.add("[redwood] " + text);
        if (!foreignLineOpen) {
          redraw(clock.getAsLong());
        }
      }
    }
  }

  /** The end-of-run summary: on stderr, and in the log also when quiet. */
  void summary(String text) {
    line(text);
    if (mode == Output.QUIET) {
      LOG.info(text);
    }
  }
}
