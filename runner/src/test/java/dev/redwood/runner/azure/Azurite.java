package dev.redwood.runner.azure;

import dev.redwood.runner.config.Secret;
import dev.redwood.runner.config.StorageAccount;
import dev.redwood.runner.config.StorageAuth;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Azurite blob service the Azure tests run against: the one at {@code AZURITE_BLOB_ENDPOINT}
 * when that is set, else one listening on Azurite's default port, else one this JVM installs (from
 * npm, version pinned in {@code .ci/azurite}) and starts on a free loopback port, and stops when it
 * exits. So {@code mvn verify} needs nothing started by hand.
 */
public final class Azurite {
  /** Azurite's development account, the same on every installation (not a secret). */
  public static final String ACCOUNT = "devstoreaccount1";

  public static final String KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  private static final String DEFAULT_ENDPOINT = "http://127.0.0.1:10000/" + ACCOUNT;
  private static final long START_TIMEOUT_MS = 60_000;

  /** The emulator this JVM started, if it started one. */
  private static Process started;

  private static String endpoint;

  private Azurite() {}

  /** The blob endpoint, finding or starting Azurite on first use. */
  public static synchronized String endpoint() {
    if (endpoint == null) {
      String configured = System.getenv("AZURITE_BLOB_ENDPOINT");
      if (configured != null) {
        requireListening(configured);
        endpoint = configured;
      } else if (listening(DEFAULT_ENDPOINT)) {
        endpoint = DEFAULT_ENDPOINT;
      } else {
        endpoint = start();
      }
    }
    return endpoint;
  }

  /**
   * Whether {@code process} is the emulator this JVM started (tests that count child processes).
   */
  public static synchronized boolean isEmulator(ProcessHandle process) {
    return started != null
        && (process.pid() == started.pid()
            || started.descendants().anyMatch(d -> d.pid() == process.pid()));
  }

  /** A connection string with the development account's key. */
  public static String connectionString() {
    return "DefaultEndpointsProtocol=http;AccountName="
        + ACCOUNT
        + ";AccountKey="
        + KEY
        + ";BlobEndpoint="
        + account().blobEndpoint()
        + ";";
  }

  /** The development account. */
  public static StorageAccount account() {
    return new StorageAccount(ACCOUNT, endpoint(), new StorageAuth.AccountKey(new Secret(KEY)));
  }

  private static void requireListening(String url) {
    if (!listening(url)) {
      throw new IllegalStateException(
          "Azurite is not listening at AZURITE_BLOB_ENDPOINT="
              + url
              + ". Start it there, or"
              + " unset AZURITE_BLOB_ENDPOINT and the tests start their own.");
    }
  }

  private static boolean listening(String url) {
    URI uri = URI.create(url);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 2000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String start() {
    try {
      Path packageDir = packageDir();
      Path bin = install(packageDir);
      int port = freePort();
      Path work = Files.createTempDirectory("azurite");
      Path log = work.resolve("azurite.log");
      Process process =
          new ProcessBuilder(
                  "node",
                  bin.toString(),
                  "--blobHost",
                  "127.0.0.1",
                  "--blobPort",
                  Integer.toString(port),
                  "--location",
                  work.resolve("data").toString(),
                  "--skipApiVersionCheck",
                  "--loose",
                  "--disableTelemetry")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      started = process;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process, work), "azurite-stop"));
      String url = "http://127.0.0.1:" + port + "/" + ACCOUNT;
      long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
      while (!listening(url)) {
        if (!process.isAlive() || System.currentTimeMillis() > deadline) {
          throw new IllegalStateException(
              "Azurite did not start on port "
                  + port
                  + " within "
                  + START_TIMEOUT_MS / 1000
                  + " s ("
                  + (process.isAlive() ? "still starting" : "exited")
                  + "); its log:\n"
                  + Files.readString(log, StandardCharsets.UTF_8));
        }
        Thread.sleep(100);
      }
      System.err.println("[azurite] started for the Azure tests at " + url);
      return url;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start Azurite for the Azure tests", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while starting Azurite", e);
    }
  }

  /** {@code .ci/azurite} of this checkout: the nearest one above the working directory. */
  private static Path packageDir() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(".ci/azurite");
      if (Files.isRegularFile(candidate.resolve("package.json"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "No .ci/azurite/package.json above "
            + Path.of("").toAbsolutePath()
            + ": cannot install"
            + " Azurite. Set AZURITE_BLOB_ENDPOINT to a running Azurite instead.");
  }

  /** Installs the pinned Azurite once per checkout (a file lock keeps test JVMs apart). */
  private static Path install(Path packageDir) throws IOException, InterruptedException {
    Path bin = packageDir.resolve("node_modules/azurite/dist/src/blob/main.js");
    try (FileChannel lockFile =
            FileChannel.open(
                packageDir.resolve(".install.lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = lockFile.lock()) {
      if (Files.isRegularFile(bin)) {
        return bin;
      }
      System.err.println("[azurite] installing the pinned Azurite from npm into " + packageDir);
      Path log = Files.createTempFile("azurite-npm", ".log");
      Process npm =
          new ProcessBuilder(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"))
              .directory(packageDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0 || !Files.isRegularFile(bin)) {
        npm.destroyForcibly();
        throw new IllegalStateException(
            "`npm ci` in "
                + packageDir
                + " did not install Azurite ("
                + bin
                + " missing); its"
                + " output:\n"
                + Files.readString(log, StandardCharsets.UTF_8));
      }
      Files.deleteIfExists(log);
      return bin;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void stop(Process process, Path work) {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(work)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      // A temporary directory left behind is harmless.
    }
  }
}
