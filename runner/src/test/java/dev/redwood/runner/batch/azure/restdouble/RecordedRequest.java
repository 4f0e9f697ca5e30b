package dev.redwood.runner.batch.azure.restdouble;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * A request the double received, in the order it was answered.
 *
 * @param time when it was answered
 * @param method HTTP method
 * @param path decoded path, e.g. {@code /jobs/j1/tasks}
 * @param rawQuery the query as sent (still encoded), or null
 * @param query decoded query parameters (last value of each name)
 * @param body the request body (empty when none)
 * @param status the status answered, or -1 when the connection was dropped
 */
public record RecordedRequest(
    Instant time,
    String method,
    String path,
    String rawQuery,
    Map<String, String> query,
    byte[] body,
    int status) {

  /** A decoded query parameter, or null. */
  public String queryParam(String name) {
    return query.get(name);
  }

  /** The body as JSON (null node when empty). */
  public JsonNode bodyJson() {
    try {
      return body.length == 0 ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return method
        + " "
        + path
        + (rawQuery == null ? "" : "?" + rawQuery)
        + " -> "
        + status
        + " ("
        + body.length
        + " bytes)";
  }
}
