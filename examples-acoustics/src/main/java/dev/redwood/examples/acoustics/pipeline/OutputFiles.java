package dev.redwood.examples.acoustics.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * Writes the bake's output files through Beam's FileSystems, so an output directory on any
 * registered file system works. A file is written under a temporary name and renamed when
 * complete: a retried or duplicated task never leaves half a file under the real name.
 */
public final class OutputFiles {
  private OutputFiles() {}

  /** What writes a file's content. */
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  public static void write(String directory, String name, String mimeType, Writer writer) throws IOException {
    ResourceId dir = FileSystems.matchNewResource(directory, true);
    ResourceId target = dir.resolve(name, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    ResourceId temp =
        dir.resolve(
            "." + name + ".tmp-" + Long.toHexString(Double.doubleToLongBits(Math.random())),
            ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    try (WritableByteChannel channel = FileSystems.create(temp, mimeType);
        OutputStream out = Channels.newOutputStream(channel)) {
      writer.write(out);
    }
    FileSystems.rename(
        List.of(temp), List.of(target), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  public static void write(String directory, String name, String mimeType, byte[] content) throws IOException {
    write(directory, name, mimeType, out -> out.write(content));
  }
}
