package dev.redwood.runner.driver;

import java.io.PrintStream;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress lines on stderr: one when a stage starts, at most one a second while its task counts
 * change, one when it ends; then a summary of the run.
 */
final class Progress {
  private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
  private static final long MIN_INTERVAL_NANOS = 1_000_000_000L;

  private final PrintStream out;
  private final boolean quiet;
  private final int stageCount;

  Progress(PrintStream out, boolean quiet, int stageCount) {
    this.out = out;
    this.quiet = quiet;
    this.stageCount = stageCount;
  }

  /** Prints a stage line when {@code force} or when a second has passed since its last line. */
  void stage(StageRun stage, boolean force) {
    if (quiet) {
      return;
    }
    long now = System.nanoTime();
    String counts = stage.counts();
    if (!force
        && (now - stage.lastPrinted < MIN_INTERVAL_NANOS || counts.equals(stage.lastCounts))) {
      return;
    }
    stage.lastPrinted = now;
    stage.lastCounts = counts;
    out.printf(
        Locale.ROOT,
        "[redwood] stage %d/%d %s: %s, %.1fs%n",
        stage.index + 1,
        stageCount,
        stage.name(),
        counts,
        stage.elapsedSeconds());
  }

  void line(String text) {
    if (!quiet) {
      out.println("[redwood] " + text);
    }
  }

  /** The end-of-run summary: on stderr, and in the log also when quiet. */
  void summary(String text) {
    line(text);
    if (quiet) {
      LOG.info(text);
    }
  }
}
