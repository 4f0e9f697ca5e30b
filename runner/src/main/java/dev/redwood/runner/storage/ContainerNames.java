package dev.redwood.runner.storage;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Blob container names of the Azure store: the base container and one per job. Azure allows 3 to 63
 * lowercase letters, digits and single hyphens, starting and ending with a letter or digit.
 */
final class ContainerNames {
  private static final Pattern VALID = Pattern.compile("[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}");

  private ContainerNames() {}

  static String checkBase(String base) {
    if (!VALID.matcher(base).matches() || base.length() > 63 - 1 - 8) {
      throw new IllegalArgumentException(
          "Invalid blob container name '"
              + base
              + "': use 3 to 54 lowercase letters, digits and single hyphens (job containers add"
              + " '-<job id>' to it)");
    }
    return base;
  }

  /**
   * A container beside the base container, {@code <base>-<suffix>}, for what Batch uploads (task
   * logs). Job containers never take this name: job ids are not a bare suffix such as "logs".
   */
  static String sibling(String base, String suffix) {
    String name = checkBase(base) + "-" + suffix;
    if (!VALID.matcher(name).matches()) {
      throw new IllegalArgumentException("Invalid blob container name '" + name + "'");
    }
    return name;
  }

  /** The container of one job's objects. */
  static String job(String base, String jobId) {
    String name = (base + "-" + jobId.toLowerCase(Locale.ROOT)).replaceAll("[^a-z0-9-]", "-");
    name = name.replaceAll("-{2,}", "-");
    if (name.length() > 63) {
      // Keep the end, where job ids are unique (time and a random suffix).
      name = name.substring(0, 30) + "-" + name.substring(name.length() - 32);
    }
    if (name.endsWith("-")) {
      name = name.substring(0, name.length() - 1);
    }
    return name;
  }
}
