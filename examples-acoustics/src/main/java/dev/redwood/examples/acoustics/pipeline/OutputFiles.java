package dev.redwood.examples.acoustics.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * Writes the bake's output files through Beam's FileSystems, so an output directory on any
 * registered file system works (a local directory, or azfs:// on Azure). A retried or duplicated
 * task must never leave half a file under the real name: locally a file is written under a
 * temporary name and renamed when complete; an object store publishes an object only when its
 * upload completes, so there the object is replaced directly (io-azure cannot rename without an
 * account key, and refuses to overwrite, hence the delete first).
 */
public final class OutputFiles {
  private OutputFiles() {}

  /** What writes a file's content. */
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  public static void write(String directory, String name, String mimeType, Writer writer)
      throws IOException {
    ResourceId dir = FileSystems.matchNewResource(directory, true);
    ResourceId target = dir.resolve(name, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    if (!"file".equals(target.getScheme())) {
      FileSystems.delete(List.of(target), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      writeTo(target, mimeType, writer);
      return;
    }
    Files.createDirectories(Path.of(directory));
    ResourceId temp =
        dir.resolve(
            "." + name + ".tmp-" + Long.toHexString(Double.doubleToLongBits(Math.random())),
            ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    writeTo(temp, mimeType, writer);
    FileSystems.rename(
        List.of(temp), List.of(target), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  public static void write(String directory, String name, String mimeType, byte[] content)
      throws IOException {
    write(directory, name, mimeType, out -> out.write(content));
  }

  /** The content of {@code name} in {@code directory}, or null when there is no such file. */
  public static byte[] read(String directory, String name) throws IOException {
    ResourceId file =
        FileSystems.matchNewResource(directory, true)
            .resolve(name, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    if (FileSystems.match(file.toString()).status() != MatchResult.Status.OK) {
      return null;
    }
    try (InputStream in = Channels.newInputStream(FileSystems.open(file))) {
      return in.readAllBytes();
    }
  }

  private static void writeTo(ResourceId file, String mimeType, Writer writer) throws IOException {
    try (WritableByteChannel channel = FileSystems.create(file, mimeType);
        OutputStream out = Channels.newOutputStream(channel)) {
      writer.write(out);
    }
  }
}
