package dev.redwood.runner.batch.azure.restdouble;

import java.util.regex.Pattern;

/**
 * An injected fault: the next {@code count} requests that match (method, path regex) are answered
 * with it instead of being served. Created by {@link BatchRestDouble}'s fault methods.
 */
public final class RequestFault {
  enum FaultKind {
    THROTTLE,
    STATUS,
    DROP,
    LOSE_RESPONSE
  }

  final FaultKind kind;
  private final String method;
  private final Pattern path;
  final int status;
  final int retryAfterSeconds;
  private int remaining;

  RequestFault(
      FaultKind kind, String method, String pathRegex, int count, int status, int retryAfter) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative");
    }
    this.kind = kind;
    this.method = method;
    this.path = pathRegex == null ? null : Pattern.compile(pathRegex);
    this.remaining = count;
    this.status = status;
    this.retryAfterSeconds = retryAfter;
  }

  /** How many more requests this fault will hit. */
  public synchronized int remaining() {
    return remaining;
  }

  /** Hits no more requests. */
  public synchronized void cancel() {
    remaining = 0;
  }

  /** Claims one hit if the request matches and hits remain. */
  synchronized boolean claim(String requestMethod, String decodedPath) {
    if (remaining == 0
        || (method != null && !method.equalsIgnoreCase(requestMethod))
        || (path != null && !path.matcher(decodedPath).find())) {
      return false;
    }
    remaining--;
    return true;
  }
}
