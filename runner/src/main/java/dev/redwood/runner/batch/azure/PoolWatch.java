package dev.redwood.runner.batch.azure;

import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when a pool's {@link PoolHealth} is read, and says what the run waits for. A pool is
 * looked at after some polls without any task of it changing; while it has usable nodes the
 * interval doubles (up to 64 times), so a healthy busy pool costs almost no extra requests, and a
 * pool without usable nodes is looked at often and reported at least once a minute.
 */
final class PoolWatch {
  private static final Logger LOG = LoggerFactory.getLogger(PoolWatch.class);

  /** Polls without a change before the pool is looked at. */
  static final int QUIET_POLLS = 5;

  private static final int MAX_BACKOFF = 64;
  private static final Duration WAITING_LINE_EVERY = Duration.ofMinutes(1);

  private final BatchPool pool;
  private int quiet;
  private int interval = QUIET_POLLS;
  private long lastWaitingLine;

  /** Until a task of the pool changes or its health shows usable nodes. */
  private boolean mayLackNodes = true;

  PoolWatch(BatchPool pool) {
    this.pool = pool;
  }

  BatchPool pool() {
    return pool;
  }

  /**
   * Whether the pool may have no node to run tasks on: none of its tasks changed yet, or its health
   * said so last time it was read.
   */
  boolean mayLackNodes() {
    return mayLackNodes;
  }

  /**
   * One poll of the run: {@code changed} says whether a task of this pool changed, {@code waiting}
   * whether the run has tasks that are on this pool or wait for a slot. Returns the pool's health
   * when it was read this time, else null.
   */
  PoolHealth poll(boolean changed, boolean waiting) throws IOException, InterruptedException {
    if (changed) {
      quiet = 0;
      mayLackNodes = false;
      return null;
    }
    if (!waiting || ++quiet < interval) {
      return null;
    }
    quiet = 0;
    PoolHealth health = pool.health();
    mayLackNodes = health.usableNodes() == 0;
    if (!mayLackNodes) {
      interval = Math.min(interval * 2, QUIET_POLLS * MAX_BACKOFF);
      lastWaitingLine = 0;
    } else {
      interval = QUIET_POLLS;
      long now = System.nanoTime();
      if (lastWaitingLine == 0 || now - lastWaitingLine > WAITING_LINE_EVERY.toNanos()) {
        LOG.info("Waiting for pool {}: {}", pool.name(), health.waiting());
        lastWaitingLine = now;
      }
    }
    return health;
  }
}
