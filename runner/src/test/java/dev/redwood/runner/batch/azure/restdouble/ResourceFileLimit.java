package dev.redwood.runner.batch.azure.restdouble;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The service's limit on a resource-file list (start task, job preparation and release tasks,
 * tasks): at most 32,768 characters in total. The double counts the list's JSON, which is at least
 * what the service counts, so it refuses whatever the service refuses.
 */
final class ResourceFileLimit {
  static final int MAX_CHARACTERS = 32_768;

  private ResourceFileLimit() {}

  /** Refuses {@code owner}'s {@code resourceFiles} (may be null) if they are too large. */
  static void check(JsonNode owner) throws ApiException {
    JsonNode files = owner == null ? null : owner.get("resourceFiles");
    if (files == null || !files.isArray()) {
      return;
    }
    int size = files.toString().length();
    if (size > MAX_CHARACTERS) {
      throw new ApiException(
              413,
              "RequestEntityTooLarge",
              "Total size of resourceFiles cannot be more than " + MAX_CHARACTERS + " characters")
          .value("MaxLimit", Integer.toString(MAX_CHARACTERS))
          .value("ActualSize", Integer.toString(size));
    }
  }
}
