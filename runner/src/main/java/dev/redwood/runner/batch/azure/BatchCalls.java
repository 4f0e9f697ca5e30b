package dev.redwood.runner.batch.azure;

import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries Batch API calls the way the service asks: a 429 waits for its {@code Retry-After}, 5xx
 * answers and I/O errors back off exponentially with jitter. The track-1 SDK retries some 5xx
 * itself but never 429, and a busy account answers 429 to bursts of task submissions.
 */
final class BatchCalls {
  private static final Logger LOG = LoggerFactory.getLogger(BatchCalls.class);

  /** One call of the Batch API. */
  @FunctionalInterface
  interface Call<T> {
    T run() throws IOException, InterruptedException;
  }

  private final int maxAttempts;
  private final Duration firstBackoff;
  private final Duration maxBackoff;

  /**
   * When set ({@link #hurry}), System.nanoTime() after which no call is tried again: a driver that
   * is being stopped has seconds, not the minutes the backoff would take.
   */
  private volatile Long hurryUntilNanos;

  BatchCalls(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {
    this.maxAttempts = maxAttempts;
    this.firstBackoff = firstBackoff;
    this.maxBackoff = maxBackoff;
  }

  /** Eight attempts, 1 s doubling to 30 s: about two minutes of service trouble is ridden out. */
  static BatchCalls standard() {
    return new BatchCalls(8, Duration.ofSeconds(1), Duration.ofSeconds(30));
  }

  /**
   * From now on, calls are not tried again once {@code budget} has passed, and retries wait at most
   * a quarter of a second: for the last calls of a driver that is being stopped.
   */
  void hurry(Duration budget) {
    hurryUntilNanos = System.nanoTime() + budget.toNanos();
  }

  <T> T call(String what, Call<T> call) throws IOException, InterruptedException {
    Duration backoff = firstBackoff;
    for (int attempt = 1; ; attempt++) {
      try {
        return call.run();
      } catch (BatchErrorException e) {
        int status = e.response() != null ? e.response().code() : 0;
        boolean retriable =
            status == 429 || status == 408 || status >= 500 && status != 501 && status != 505;
        if (!retriable || attempt >= maxAttempts || outOfTime()) {
          throw new IOException("Batch: could not " + what + ": " + describe(e), e);
        }
        Duration wait = status == 429 ? retryAfter(e, backoff) : jitter(backoff);
        LOG.debug("Batch answered {} to '{}'; retrying in {} ms", status, what, wait.toMillis());
        pause(wait);
      } catch (IOException | UncheckedIOException e) {
        if (e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
          throw new InterruptedException("Interrupted during Batch call: " + what);
        }
        if (attempt >= maxAttempts || outOfTime()) {
          throw new IOException("Batch: could not " + what + " after " + attempt + " attempts", e);
        }
        LOG.debug("I/O error on '{}' ({}); retrying", what, e.toString());
        pause(jitter(backoff));
      } catch (RuntimeException e) {
        // The SDK wraps transport errors of some calls (createTasks) in RuntimeException.
        if (!(e.getCause() instanceof IOException) || attempt >= maxAttempts || outOfTime()) {
          throw e;
        }
        pause(jitter(backoff));
      }
      backoff =
          backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
    }
  }

  private boolean outOfTime() {
    Long until = hurryUntilNanos;
    return until != null && System.nanoTime() - until >= 0;
  }

  private void pause(Duration wait) throws InterruptedException {
    long ms = wait.toMillis();
    if (hurryUntilNanos != null) {
      ms = Math.min(ms, 250);
    }
    Thread.sleep(ms);
  }

  /** Like {@link #call} for calls without a result. */
  void run(String what, VoidCall call) throws IOException, InterruptedException {
    call(
        what,
        () -> {
          call.run();
          return null;
        });
  }

  @FunctionalInterface
  interface VoidCall {
    void run() throws IOException, InterruptedException;
  }

  /** The error code and message of a Batch error, e.g. "PoolNotFound: The specified pool ...". */
  static String describe(BatchErrorException e) {
    if (e.body() != null && e.body().code() != null) {
      String message =
          e.body().message() != null && e.body().message().value() != null
              ? e.body().message().value()
              : "";
      // The service may quote a URL it was given (a resource or output file's), SAS and all.
      return TaskLogs.withoutSas(
          e.body().code()
              + (message.isEmpty() ? "" : ": " + message.lines().findFirst().orElse("")));
    }
    return "HTTP " + (e.response() != null ? e.response().code() : "?");
  }

  /** The Batch error code of {@code e}, or null. */
  static String code(BatchErrorException e) {
    return e.body() != null ? e.body().code() : null;
  }

  private Duration retryAfter(BatchErrorException e, Duration fallback) {
    String header = e.response() != null ? e.response().headers().get("Retry-After") : null;
    if (header != null) {
      try {
        return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
      } catch (NumberFormatException notSeconds) {
        // an HTTP date: fall back to the backoff
      }
    }
    return jitter(fallback);
  }

  private static Duration jitter(Duration d) {
    long ms = d.toMillis();
    return Duration.ofMillis(ms / 2 + ThreadLocalRandom.current().nextLong(ms / 2 + 1));
  }
}
