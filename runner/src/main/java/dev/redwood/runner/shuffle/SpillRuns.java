package dev.redwood.runner.shuffle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The local run files of one writer or reader: writes sorted record streams to files in the spill
 * directory, merges runs down to a fan-in limit, and deletes every file it made on close (also
 * after a failure). Run files use the record framing with the partition included.
 */
final class SpillRuns implements AutoCloseable {
  private final Path dir;
  private final Set<Path> files = new LinkedHashSet<>();

  SpillRuns(Path dir) {
    this.dir = dir;
  }

  /** Writes the rest of {@code source} (which stays open) to a new run file. */
  Run write(RecordSource source) throws IOException {
    Path file = newFile();
    long records;
    try (RecordOutput out = new RecordOutput(Files.newOutputStream(file), true)) {
      while (source.advance()) {
        out.write(source);
      }
      records = out.records();
    }
    return new FileRun(file, records);
  }

  /** A run of one record: how a record too big for the memory budget gets around the buffer. */
  Run writeSingle(
      int partition, byte[] key, int keyOff, int keyLen, byte[] value, int valOff, int valLen)
      throws IOException {
    Path file = newFile();
    try (RecordOutput out = new RecordOutput(Files.newOutputStream(file), true)) {
      out.write(partition, key, keyOff, keyLen, value, valOff, valLen);
    }
    return new FileRun(file, 1);
  }

  /**
   * Merges consecutive groups of runs into run files until at most {@code maxFanIn} remain, so a
   * final merge never holds more streams open. Merges only as many runs as needed, and keeps the
   * runs' order, which the unsorted (arrival order) mode relies on.
   */
  List<Run> mergeDown(List<Run> runs, int maxFanIn, boolean sortKeys) throws IOException {
    List<Run> level = runs;
    while (level.size() > maxFanIn) {
      int excess = level.size() - maxFanIn;
      List<Run> next = new ArrayList<>();
      int i = 0;
      while (i < level.size()) {
        // Merging g runs into one removes g - 1 of them.
        int group = Math.min(Math.min(maxFanIn, excess + 1), level.size() - i);
        if (group <= 1) {
          next.add(level.get(i++));
          continue;
        }
        List<Run> inputs = level.subList(i, i + group);
        try (RecordSource merged = MergingSource.open(inputs, sortKeys)) {
          next.add(write(merged));
        }
        inputs.forEach(this::discard);
        excess -= group - 1;
        i += group;
      }
      level = next;
    }
    return level;
  }

  /** Deletes every run file still around. Best effort: a file that will not go is left behind. */
  @Override
  public void close() {
    for (Path file : files) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // Nothing to do about it here; the spill directory is task scratch space.
      }
    }
    files.clear();
  }

  private Path newFile() throws IOException {
    Files.createDirectories(dir);
    Path file = Files.createTempFile(dir, "shuffle-", ".run");
    files.add(file);
    return file;
  }

  /** Deletes a run file once it is merged into another; other runs are left alone. */
  private void discard(Run run) {
    if (run instanceof FileRun fileRun && files.contains(fileRun.file())) {
      try {
        Files.deleteIfExists(fileRun.file());
        files.remove(fileRun.file());
      } catch (IOException e) {
        // close() tries again.
      }
    }
  }

  private record FileRun(Path file, long records) implements Run {
    @Override
    public RecordSource open() throws IOException {
      long length = Files.size(file);
      return RecordInput.ofSpillFile(Files.newInputStream(file), file.toString(), length, records);
    }
  }
}
