package dev.redwood.runner.config;

/**
 * A parameters or credentials file that cannot be used: missing or unreadable, not JSON, or a key
 * with a bad value. The message names the file and, where there is one, the key (as a path such as
 * {@code pools[1].vmSize}); it never contains a secret value.
 */
public final class AzureConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final String key;

  /** A problem with {@code key} (a path; null for the whole file), phrased to follow the key. */
  AzureConfigException(String file, String key, String problem) {
    super(file + ": " + (key == null ? "" : key + " ") + problem);
    this.file = file;
    this.key = key;
  }

  /** The file as the user named it. */
  public String file() {
    return file;
  }

  /** The key's path inside the file ({@code pools[1].vmSize}), or null. */
  public String key() {
    return key;
  }
}
