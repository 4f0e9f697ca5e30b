package dev.redwood.runner.batch.azure;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClasspathFetcher} as a node runs it: its class file alone on a bare JVM, against an HTTP
 * server that plays blob storage. It re-fetches a cached jar whose content does not match its hash,
 * rides out transient errors, gives up at once on a refused URL, and never prints a SAS.
 */
@Timeout(60)
class ClasspathFetcherTest {
  @TempDir Path temp;
  private HttpServer server;
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
  private final AtomicInteger gets = new AtomicInteger();

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          gets.incrementAndGet();
          String name = exchange.getRequestURI().getPath().substring(1);
          AtomicInteger failures = failuresLeft.get(name);
          byte[] body = blobs.get(name);
          int status =
              failures != null && failures.getAndDecrement() > 0 ? 503 : body == null ? 403 : 200;
          exchange.sendResponseHeaders(status, status == 200 ? body.length : -1);
          if (status == 200) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  /** Serves {@code content} as a staged jar; its manifest line. */
  private String jar(String file, String content) throws Exception {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    String hash =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 12);
    String name = hash + "-" + file;
    blobs.put(name, bytes);
    return line(hash, name);
  }

  private String line(String hash, String name) {
    return hash
        + "\t"
        + name
        + "\thttp://127.0.0.1:"
        + server.getAddress().getPort()
        + "/"
        + name
        + "?sv=2021-08-06&sp=r&sig=SECRET%2Bsignature\n";
  }

  /** Runs the fetcher's class file alone; its exit code and output. */
  private Object[] fetch(String manifest) throws Exception {
    Path classes = temp.resolve("fetcher");
    Path classFile = classes.resolve(ClasspathFetcher.class.getName().replace('.', '/') + ".class");
    if (!Files.exists(classFile)) {
      Files.createDirectories(classFile.getParent());
      try (InputStream in =
          ClasspathFetcher.class.getResourceAsStream(
              ClasspathFetcher.class.getSimpleName() + ".class")) {
        Files.write(classFile, in.readAllBytes());
      }
    }
    Files.writeString(temp.resolve("manifest.tsv"), manifest);
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classes.toString(),
                ClasspathFetcher.class.getName(),
                temp.resolve("manifest.tsv").toString(),
                temp.resolve("cache").toString(),
                temp.resolve("classpath.txt").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return new Object[] {p.exitValue(), out};
  }

  @Test
  void cachedJarsAreVerifiedAndTransientErrorsRetried() throws Exception {
    String manifest = jar("a.jar", "first jar") + jar("b.jar", "second jar");
    Object[] first = fetch(manifest);
    assertThat(first[1].toString(), first[0], is(0));
    assertThat(
        first[1].toString(),
        containsString("redwood-fetcher: downloaded 2 of 2 jars, 0 were in the node cache"));
    String classpath = Files.readString(temp.resolve("classpath.txt"));
    assertThat(classpath.split(":").length, is(2));
    assertThat(classpath, containsString(temp.resolve("cache").toString() + "/"));

    // A cached copy that does not match its hash is fetched again, after two transient errors.
    String a = manifest.split("\t")[1];
    Files.writeString(temp.resolve("cache").resolve(a), "truncated");
    failuresLeft.put(a, new AtomicInteger(2));
    Object[] second = fetch(manifest);
    assertThat(second[1].toString(), second[0], is(0));
    assertThat(second[1].toString(), containsString("does not match its hash"));
    assertThat(second[1].toString(), containsString("attempt 2 of 5 for " + a + " failed"));
    assertThat(
        second[1].toString(),
        containsString("redwood-fetcher: downloaded 1 of 2 jars, 1 were in the node cache"));
    assertThat(
        Files.readString(temp.resolve("cache").resolve(a), StandardCharsets.UTF_8),
        is("first jar"));
    assertThat(second[1].toString(), not(containsString("SECRET")));
  }

  @Test
  void aRefusedUrlFailsAtOnceWithoutShowingItsSas() throws Exception {
    Object[] result = fetch(line("0123456789abcdef01234567", "0123456789abcdef01234567-gone.jar"));
    String out = result[1].toString();
    assertThat(out, result[0], is(1));
    assertThat(out, containsString("answered 403"));
    assertThat(out, containsString("1 of 1 jars could not be fetched"));
    assertThat(out, not(containsString("SECRET")));
    assertThat(out, not(containsString("sig=")));
    assertThat("no retries of a refused URL", gets.get(), is(1));
  }
}
