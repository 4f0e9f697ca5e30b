package dev.redwood.runner.batch.azure;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The job preparation program that brings the staged classpath onto a Batch node: it reads a
 * classpath manifest ({@link ClasspathManifest}), downloads each jar it lists into the node's jar
 * cache under the jar's content-hash name unless a verified copy is there already, and writes the
 * task classpath (the cached jars, in manifest order).
 *
 * <p>It runs on the node with nothing but the JDK the pool's start task installs, from its class
 * file alone: so it uses only {@code java.base}, and has no nested, anonymous or local classes
 * (lambdas are fine), no Redwood types and no dependencies. SAS URLs reach it in the manifest file,
 * never on its command line, and it prints none: its messages name blobs without their query.
 *
 * <p>Usage: {@code java -cp DIR dev.redwood.runner.batch.azure.ClasspathFetcher MANIFEST CACHE_DIR
 * CLASSPATH_FILE}.
 */
public final class ClasspathFetcher {
  /** How often one jar is tried before the job preparation fails. */
  static final int ATTEMPTS = 5;

  /** Downloads in parallel: a node fetches ~140 jars per new classpath. */
  private static final int THREADS = 4;

  private static final String PREFIX = "redwood-fetcher: ";

  private final Path cache;
  private final AtomicInteger downloaded = new AtomicInteger();

  private ClasspathFetcher(Path cache) {
    this.cache = cache;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println(PREFIX + "usage: ClasspathFetcher MANIFEST CACHE_DIR CLASSPATH_FILE");
      System.exit(2);
    }
    List<String[]> jars = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        String[] fields = line.split("\t");
        if (fields.length != 3) {
          System.err.println(PREFIX + "malformed manifest line " + (jars.size() + 1));
          System.exit(2);
        }
        jars.add(fields);
      }
    }
    Path cache = Files.createDirectories(Path.of(args[1]).toAbsolutePath());
    ClasspathFetcher fetcher = new ClasspathFetcher(cache);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<Path>> paths = new ArrayList<>();
    for (String[] jar : jars) {
      paths.add(pool.submit(() -> fetcher.fetch(jar[0], jar[1], jar[2])));
    }
    StringBuilder classpath = new StringBuilder();
    int failed = 0;
    for (int i = 0; i < paths.size(); i++) {
      try {
        Path path = paths.get(i).get();
        classpath.append(classpath.length() == 0 ? "" : ":").append(path);
      } catch (java.util.concurrent.ExecutionException e) {
        failed++;
        System.err.println(PREFIX + "cannot fetch " + jars.get(i)[1] + ": " + e.getCause());
      }
    }
    pool.shutdown();
    if (failed > 0) {
      System.err.println(PREFIX + failed + " of " + jars.size() + " jars could not be fetched");
      System.exit(1);
    }
    Files.writeString(Path.of(args[2]), classpath.toString(), StandardCharsets.UTF_8);
    int got = fetcher.downloaded.get();
    System.out.println(
        PREFIX
            + "downloaded "
            + got
            + " of "
            + jars.size()
            + " jars, "
            + (jars.size() - got)
            + " were in the node cache");
  }

  /** The cached jar {@code name}, downloaded from {@code url} unless a verified copy is there. */
  private Path fetch(String hash, String name, String url)
      throws IOException, InterruptedException {
    if (name.contains("/") || name.startsWith(".") || !hash.matches("[0-9a-f]{8,64}")) {
      throw new IOException("unsafe jar name or hash in the manifest: " + name);
    }
    Path target = cache.resolve(name);
    if (Files.isRegularFile(target)) {
      if (sha256(target).startsWith(hash)) {
        return target;
      }
      System.out.println(PREFIX + "cached " + name + " does not match its hash; fetching it again");
    }
    IOException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Path part = Files.createTempFile(cache, name, ".part");
      try {
        download(url, part);
        String got = sha256(part);
        if (!got.startsWith(hash)) {
          throw new IOException("content hash " + got.substring(0, hash.length()) + " != " + hash);
        }
        try {
          Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
        downloaded.incrementAndGet();
        return target;
      } catch (IOException e) {
        last = e;
        System.out.println(
            PREFIX + "attempt " + attempt + " of " + ATTEMPTS + " for " + name + " failed: " + e);
        if (e instanceof FileNotFoundException) {
          break;
        }
        if (attempt < ATTEMPTS) {
          Thread.sleep(1000L << (attempt - 1));
        }
      } finally {
        Files.deleteIfExists(part);
      }
    }
    throw last;
  }

  /** GETs a blob into {@code file}; errors name the URL without its query (the SAS). */
  private static void download(String url, Path file) throws IOException {
    String shown = withoutQuery(url);
    HttpURLConnection c;
    try {
      c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    } catch (IllegalArgumentException e) {
      throw new IOException("not a URL: " + shown);
    }
    c.setConnectTimeout(30_000);
    c.setReadTimeout(120_000);
    try {
      int status = c.getResponseCode();
      if (status != 200) {
        String what = "GET " + shown + " answered " + status;
        // Retrying cannot help a missing blob or a refused (e.g. expired) SAS.
        boolean permanent = status >= 400 && status < 500 && status != 408 && status != 429;
        throw permanent ? new FileNotFoundException(what) : new IOException(what);
      }
      try (InputStream in = c.getInputStream();
          OutputStream out = Files.newOutputStream(file)) {
        in.transferTo(out);
      }
    } catch (IOException e) {
      // The JDK's own messages quote the whole URL: keep only what is safe to show.
      String message = String.valueOf(e.getMessage());
      int query = url.indexOf('?');
      if (query >= 0) {
        message = message.replace(url.substring(query), "?<sas>");
      }
      if (e.getMessage() != null && e.getMessage().startsWith("GET ")) {
        throw e;
      }
      throw new IOException("GET " + shown + ": " + e.getClass().getSimpleName() + ": " + message);
    } finally {
      c.disconnect();
    }
  }

  private static String withoutQuery(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in =
        new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
