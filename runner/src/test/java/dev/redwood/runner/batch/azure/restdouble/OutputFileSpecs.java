package dev.redwood.runner.batch.azure.restdouble;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Checks a task's {@code outputFiles} as the service does when the task is added: each needs a
 * {@code filePattern}, a {@code destination.container.containerUrl} (an absolute http(s) URL) and
 * {@code uploadOptions.uploadCondition} (taskSuccess, taskFailure or taskCompletion); the spec
 * marks all of them required, and the service refuses the task with 400 otherwise.
 */
final class OutputFileSpecs {
  static final Set<String> CONDITIONS = Set.of("tasksuccess", "taskfailure", "taskcompletion");

  private OutputFileSpecs() {}

  static void check(JsonNode outputFiles) throws ApiException {
    if (outputFiles == null || outputFiles.isNull()) {
      return;
    }
    if (!outputFiles.isArray()) {
      throw ApiException.invalidProperty("outputFiles", "must be a list of output files");
    }
    for (JsonNode file : outputFiles) {
      if (!file.isObject()) {
        throw ApiException.invalidProperty("outputFiles", "each output file must be an object");
      }
      String pattern = Json.text(file, "filePattern");
      if (pattern == null || pattern.isBlank()) {
        throw ApiException.missingProperty("filePattern");
      }
      JsonNode destination = file.get("destination");
      if (destination == null || !destination.isObject()) {
        throw ApiException.missingProperty("destination");
      }
      JsonNode container = destination.get("container");
      if (container == null || !container.isObject()) {
        throw ApiException.missingProperty("container");
      }
      String url = Json.text(container, "containerUrl");
      if (url == null || url.isBlank()) {
        throw ApiException.missingProperty("containerUrl");
      }
      checkUrl(url);
      JsonNode options = file.get("uploadOptions");
      if (options == null || !options.isObject()) {
        throw ApiException.missingProperty("uploadOptions");
      }
      String condition = Json.text(options, "uploadCondition");
      if (condition == null) {
        throw ApiException.missingProperty("uploadCondition");
      }
      if (!CONDITIONS.contains(condition.toLowerCase(Locale.ROOT))) {
        throw ApiException.invalidProperty(
            "uploadCondition",
            "must be taskSuccess, taskFailure or taskCompletion, not " + condition);
      }
    }
  }

  private static void checkUrl(String url) throws ApiException {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return;
      }
    } catch (URISyntaxException e) {
      // refused below
    }
    throw ApiException.invalidProperty(
        "containerUrl", "must be the absolute URL of a blob container: " + NodeAgent.redact(url));
  }
}
