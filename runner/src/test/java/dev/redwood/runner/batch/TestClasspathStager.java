package dev.redwood.runner.batch;

import dev.redwood.runner.storage.BlobStore;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Stages this test JVM's own classpath into a blob store, so node JVMs can run the runner's classes
 * and the test tasks: jars as they are, class directories ({@code target/classes}, {@code
 * target/test-classes}) zipped into jars first.
 */
final class TestClasspathStager {
  private TestClasspathStager() {}

  /** Returns the staged keys ({@code staging/<nn>-<name>.jar}), in classpath order. */
  static List<String> stage(BlobStore store, Path scratchDir) throws IOException {
    List<String> keys = new ArrayList<>();
    String[] entries = System.getProperty("java.class.path").split(File.pathSeparator);
    for (int i = 0; i < entries.length; i++) {
      Path entry = Path.of(entries[i]);
      Path jar;
      if (Files.isDirectory(entry)) {
        jar = scratchDir.resolve(entry.getFileName() + ".jar");
        jarDirectory(entry, jar);
      } else if (Files.isRegularFile(entry) && entry.toString().endsWith(".jar")) {
        jar = entry;
      } else {
        continue;
      }
      // The index keeps names unique and the order visible; real staging uses content hashes.
      String key = String.format("staging/%03d-%s", i, jar.getFileName());
      store.putFile(key, jar);
      keys.add(key);
    }
    return keys;
  }

  private static void jarDirectory(Path dir, Path jar) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest);
        Stream<Path> paths = Files.walk(dir)) {
      for (Path path : (Iterable<Path>) paths.sorted()::iterator) {
        if (path.equals(dir)) {
          continue;
        }
        String name = dir.relativize(path).toString().replace(File.separatorChar, '/');
        if (Files.isDirectory(path)) {
          out.putNextEntry(new JarEntry(name + "/"));
        } else {
          out.putNextEntry(new JarEntry(name));
          Files.copy(path, out);
        }
        out.closeEntry();
      }
    }
  }
}
