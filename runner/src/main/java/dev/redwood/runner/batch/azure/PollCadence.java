package dev.redwood.runner.batch.azure;

import java.time.Duration;

/**
 * How long the driver waits between two polls of its pools' tasks: {@code --taskPollIntervalMs}
 * while tasks change, growing by a quarter after each poll that saw no change, up to {@link #MAX}.
 * A bake of short tasks is polled at the base interval; a run of hour-long tasks ends up at one
 * request per pool every half minute instead of every few seconds. Either way a task's end is seen
 * by the first poll after it, within one (current) interval.
 */
final class PollCadence {
  /** The longest wait between polls: a task's end is seen at most this late. */
  static final Duration MAX = Duration.ofSeconds(30);

  private final long baseNanos;
  private final long maxNanos;
  private long currentNanos;

  PollCadence(Duration base) {
    this.baseNanos = base.toNanos();
    this.maxNanos = Math.max(baseNanos, MAX.toNanos());
    this.currentNanos = baseNanos;
  }

  /** The wait before the next poll. */
  Duration interval() {
    return Duration.ofNanos(currentNanos);
  }

  /** Records a poll: {@code changed} when any task of any pool changed state. */
  void polled(boolean changed) {
    currentNanos = changed ? baseNanos : Math.min(maxNanos, currentNanos + currentNanos / 4);
  }
}
