package dev.redwood.runner.batch.azure;

import com.microsoft.azure.batch.protocol.models.ResourceFile;
import dev.redwood.runner.plan.JobLayout;
import dev.redwood.runner.storage.BlobExistsException;
import dev.redwood.runner.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A job's classpath as Batch nodes fetch it: a manifest blob that lists each staged jar (its
 * content hash, its cache name and a read URL), and the {@link ClasspathFetcher} class that the job
 * preparation task runs on it. The preparation task carries these two resource files whatever the
 * classpath's size, so it stays far below the service's 32,768-character limit on a resource-file
 * list (one SAS URL per jar reached it at about 100 jars). The jars' SAS URLs are in the manifest,
 * a blob only the job's read URL opens, never on a command line.
 */
final class ClasspathManifest {
  /** The manifest's file name in the job preparation's working directory. */
  static final String MANIFEST_FILE = "classpath-manifest.tsv";

  /** Where the fetcher's class file goes, relative to the job preparation's working directory. */
  static final String FETCHER_DIR = "fetcher";

  /** The node's jar cache, shared by the jobs of all runs on the node. */
  static final String NODE_CACHE = "$AZ_BATCH_NODE_SHARED_DIR/redwood/jars";

  /** A staged jar's name: its content hash (hex), a hyphen, its file name. */
  private static final Pattern STAGED_NAME = Pattern.compile("([0-9a-f]{8,64})-[^/]+");

  private ClasspathManifest() {}

  /**
   * Writes the manifest of {@code classpathKeys} for job {@code jobId}, stages the fetcher (once,
   * under a content-hash name) and returns the job preparation's two resource files.
   *
   * @param validity how long the manifest's and the resource files' URLs stay valid
   */
  static List<ResourceFile> stage(
      BlobStore store, String jobId, List<String> classpathKeys, Duration validity)
      throws IOException {
    StringBuilder manifest = new StringBuilder();
    for (String key : classpathKeys) {
      String name = key.substring(key.lastIndexOf('/') + 1);
      Matcher m = STAGED_NAME.matcher(name);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "Classpath blob '" + key + "' is not named <content hash>-<file name>");
      }
      manifest
          .append(m.group(1))
          .append('\t')
          .append(name)
          .append('\t')
          .append(store.readUrl(key, validity))
          .append('\n');
    }
    String manifestKey = new JobLayout(jobId).jobPrefix() + MANIFEST_FILE;
    // A retried job creation writes the manifest again, with fresh URLs.
    store.delete(manifestKey);
    store.put(manifestKey, manifest.toString().getBytes(StandardCharsets.UTF_8));

    byte[] fetcher = fetcherClass();
    String fetcherKey =
        JobLayout.STAGING_PREFIX
            + HexFormat.of().formatHex(sha256(fetcher), 0, 12)
            + "-"
            + ClasspathFetcher.class.getSimpleName()
            + ".class";
    if (!store.exists(fetcherKey)) {
      try {
        store.put(fetcherKey, fetcher);
      } catch (BlobExistsException e) {
        // Staged meanwhile by another run: same name, same content.
      }
    }
    return List.of(
        new ResourceFile()
            .withHttpUrl(store.readUrl(manifestKey, validity))
            .withFilePath(MANIFEST_FILE),
        new ResourceFile()
            .withHttpUrl(store.readUrl(fetcherKey, validity))
            .withFilePath(
                FETCHER_DIR + "/" + ClasspathFetcher.class.getName().replace('.', '/') + ".class"));
  }

  private static byte[] fetcherClass() throws IOException {
    String resource = ClasspathFetcher.class.getSimpleName() + ".class";
    try (InputStream in = ClasspathFetcher.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("The runner's " + resource + " is missing from its classpath");
      }
      return in.readAllBytes();
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
