package dev.redwood.examples.rtm.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Whole-object reads and writes through Beam's {@link FileSystems}, so shot records and grids can
 * live wherever the pipeline's file systems reach (a local directory here; a blob container with a
 * Beam file system for it on Azure). Tasks read and write shot records through this, never through
 * the driver's memory.
 */
public final class Storage {

  private Storage() {}

  public static byte[] read(String path) throws IOException {
    ResourceId resource = FileSystems.matchSingleFileSpec(path).resourceId();
    try (InputStream in = Channels.newInputStream(FileSystems.open(resource))) {
      return in.readAllBytes();
    }
  }

  /**
   * Writes {@code bytes} to {@code path}, replacing what is there: a retried task or a second run
   * writes the same object again, and some file systems (io-azure's) refuse to overwrite. Local
   * directories are created as needed; object stores have none to create.
   */
  public static void write(String path, byte[] bytes) throws IOException {
    ResourceId resource = FileSystems.matchNewResource(path, false);
    if (FileSystems.match(path).status() == MatchResult.Status.OK) {
      FileSystems.delete(List.of(resource), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } else if ("file".equals(resource.getScheme())) {
      Files.createDirectories(Path.of(path).toAbsolutePath().getParent());
    }
    try (OutputStream out =
        Channels.newOutputStream(FileSystems.create(resource, MimeTypes.BINARY))) {
      out.write(bytes);
    }
  }

  /**
   * A path as tasks on any node see it: a local path (no scheme) made absolute against the driver's
   * working directory, since a task's working directory is its node's, not the driver's. Paths with
   * a scheme ({@code gs://}, {@code azfs://}, ...) are left alone.
   */
  public static String absolute(String path) {
    if (path == null || path.matches("^[a-zA-Z][a-zA-Z0-9+.-]+://.*")) {
      return path;
    }
    return java.nio.file.Path.of(path).toAbsolutePath().normalize().toString();
  }

  /** The file {@code name} in {@code directory}, in the directory's file system. */
  public static String resolve(String directory, String name) {
    return FileSystems.matchNewResource(directory, true)
        .resolve(name, StandardResolveOptions.RESOLVE_FILE)
        .toString();
  }

  /** The subdirectory {@code name} of {@code directory}. */
  public static String subdirectory(String directory, String name) {
    return FileSystems.matchNewResource(directory, true)
        .resolve(name, StandardResolveOptions.RESOLVE_DIRECTORY)
        .toString();
  }
}
