package dev.redwood.runner.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * The check that a file holding secrets is readable by its owner only, as {@code ssh} insists for
 * private keys. Redwood warns rather than refuses: the file may sit on a file system without POSIX
 * permissions, or in a container where nobody else can read it anyway.
 */
final class FilePermissions {
  private FilePermissions() {}

  /** Whether these permissions let the file's group or other users read it. */
  static boolean readableByOthers(Set<PosixFilePermission> permissions) {
    return permissions.contains(PosixFilePermission.GROUP_READ)
        || permissions.contains(PosixFilePermission.OTHERS_READ);
  }

  /**
   * The warning for a secrets file, named {@code name} by the user, that its group or other users
   * can read; empty when only its owner can, or when the file system has no POSIX permissions.
   */
  static Optional<String> warningFor(Path file, String name) {
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException | IOException e) {
      return Optional.empty();
    }
    if (!readableByOthers(permissions)) {
      return Optional.empty();
    }
    String who =
        permissions.contains(PosixFilePermission.OTHERS_READ) ? "other users" : "its group";
    String mode = PosixFilePermissions.toString(permissions);
    String warning =
        "%s holds secrets but is readable by %s (permissions %s); make it private with";
    return Optional.of(warning.formatted(name, who, mode) + ": chmod 600 " + name);
  }
}
