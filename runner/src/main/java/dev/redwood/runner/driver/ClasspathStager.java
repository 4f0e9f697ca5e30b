package dev.redwood.runner.driver;

import dev.redwood.runner.plan.JobLayout;
import dev.redwood.runner.storage.BlobExistsException;
import dev.redwood.runner.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.options.FileStagingOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.construction.resources.PipelineResources;

/**
 * Uploads the pipeline's classpath to the blob store under content-hash names, so an unchanged jar
 * is uploaded once and reused by every later run (and nodes cache it by the same name).
 */
public final class ClasspathStager {
  /** Content hashes by path, size and modification time: rehashing 200 MB per run is slow. */
  private static final Map<String, String> HASHES = new ConcurrentHashMap<>();

  private ClasspathStager() {}

  static List<String> stage(BlobStore store, PipelineOptions options, Path tempDir)
      throws IOException {
    List<String> files = options.as(FileStagingOptions.class).getFilesToStage();
    if (files == null || files.isEmpty()) {
      files =
          PipelineResources.detectClassPathResourcesToStage(
              ClasspathStager.class.getClassLoader(), options);
    }
    // Directories (target/classes) become jars; Beam names them by content.
    List<String> jars = PipelineResources.prepareFilesForStaging(files, tempDir.toString());
    List<String> keys = new ArrayList<>();
    for (String jar : jars) {
      Path path = Path.of(jar);
      if (!Files.isRegularFile(path)) {
        continue;
      }
      String key = stagedKey(path);
      if (!store.exists(key)) {
        try {
          store.putFile(key, path);
        } catch (BlobExistsException e) {
          // Another run staged the same content meanwhile: the name is the content's hash.
        }
      }
      keys.add(key);
    }
    return keys;
  }

  /**
   * The key a staged file has in the blob store: its content's hash and its name, so a node can
   * fetch a file it knows by path on the driver (portable jobs' artifacts).
   */
  public static String stagedKey(Path path) throws IOException {
    return JobLayout.STAGING_PREFIX + hash(path) + "-" + path.getFileName();
  }

  private static String hash(Path path) throws IOException {
    String id =
        path.toAbsolutePath() + "|" + Files.size(path) + "|" + Files.getLastModifiedTime(path);
    String cached = HASHES.get(id);
    if (cached != null) {
      return cached;
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(path), sha256())) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      String hex =
          HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest(), 0, 12);
      HASHES.put(id, hex);
      return hex;
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
