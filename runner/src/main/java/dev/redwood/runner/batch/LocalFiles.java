package dev.redwood.runner.batch;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** File chores of the local nodes: removing task and job directories, reading log tails. */
final class LocalFiles {
  private LocalFiles() {}

  /**
   * Deletes a directory tree, best effort: a file still held by a stray thread must not fail a task
   * or a job's cleanup. Returns whether the tree is gone.
   */
  static boolean deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return true;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              deleteQuietly(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) {
              deleteQuietly(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // Reported through the return value.
    }
    return !Files.exists(dir);
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // Best effort, see deleteRecursively.
    }
  }

  /** The last {@code maxBytes} of a text file, labeled with its name and how much was cut. */
  static String labeledTail(Path file, int maxBytes) {
    String name = file.getFileName().toString();
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long size = in.length();
      int length = (int) Math.min(size, Math.max(0, maxBytes));
      byte[] bytes = new byte[length];
      in.seek(size - length);
      in.readFully(bytes);
      String header =
          length < size
              ? "--- " + name + " (last " + length + " of " + size + " bytes) ---\n"
              : "--- " + name + " ---\n";
      // A cut may split a multi-byte character: replace it rather than fail.
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPLACE)
              .onUnmappableCharacter(CodingErrorAction.REPLACE)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return header + text + (text.endsWith("\n") || text.isEmpty() ? "" : "\n");
    } catch (NoSuchFileException | FileNotFoundException e) {
      return "--- " + name + " (none) ---\n";
    } catch (IOException e) {
      return "--- " + name + " (unreadable: " + e + ") ---\n";
    }
  }
}
