package dev.redwood.runner.batch.azure;

import com.microsoft.azure.batch.protocol.models.NameValuePair;
import com.microsoft.azure.batch.protocol.models.TaskFailureInformation;
import dev.redwood.runner.config.RegistryLogin;
import java.io.IOException;

/**
 * A pool's nodes cannot pull its container image: Batch completed a task with {@code
 * ContainerInvalidImage} before running it. Every task of the pool would fail the same way, so the
 * run ends at once; the message names the pool, the image, its registry, Batch's error and what to
 * change. It never holds a password (Batch's error text does not either).
 */
final class ContainerPullFailure extends IOException {
  private static final long serialVersionUID = 1L;

  /** The failureInfo code of a task whose container image could not be pulled. */
  static final String CODE = "ContainerInvalidImage";

  ContainerPullFailure(BatchPool pool, TaskFailureInformation failure) {
    super(message(pool, failure));
  }

  private static String message(BatchPool pool, TaskFailureInformation failure) {
    String image = pool.config().containerImage();
    String server = RegistryLogin.serverOf(image);
    StringBuilder batchSays = new StringBuilder(failure.code());
    if (failure.message() != null) {
      batchSays.append(": ").append(failure.message());
    }
    if (failure.details() != null) {
      for (NameValuePair detail : failure.details()) {
        batchSays.append("; ").append(detail.name()).append(": ").append(detail.value());
      }
    }
    RegistryLogin login = pool.registry();
    String todo =
        login == null
            ? "No login for "
                + server
                + " is configured. If it is a private registry, add {\"registryServer\": \""
                + server
                + "\", \"userName\": ..., \"password\": ...} to \"containerRegistries\" in the"
                + " credentials file (--credentialsFile); otherwise check the image's name and"
                + " tag."
            : "Batch logged in to "
                + server
                + " as \""
                + login.userName()
                + "\" (\"containerRegistries\" of the credentials file): check that user name, its"
                + " password or token, and that the image and tag exist.";
    if (!pool.createdByRun()) {
      todo +=
          " The pool existed before this run and keeps the registry logins it was created with:"
              + " delete it (or run once with --deletePools) so that Redwood creates it anew.";
    }
    return "Batch pool "
        + pool.name()
        + " cannot pull its container image \""
        + image
        + "\" from registry "
        + server
        + " ("
        + batchSays
        + "). "
        + todo;
  }
}
