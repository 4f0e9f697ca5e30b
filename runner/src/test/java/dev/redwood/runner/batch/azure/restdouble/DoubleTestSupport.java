package dev.redwood.runner.batch.azure.restdouble;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchCredentials;
import com.microsoft.azure.batch.auth.BatchSharedKeyCredentials;
import com.microsoft.azure.batch.protocol.models.AllocationState;
import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.VirtualMachineConfiguration;
import com.microsoft.rest.credentials.TokenCredentials;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** Clients, polling and small local HTTP servers for the double's tests. */
final class DoubleTestSupport {
  private DoubleTestSupport() {}

  /** The Ubuntu 22.04 image the tests' pools name (the double runs commands on this host). */
  static VirtualMachineConfiguration ubuntu() {
    return new VirtualMachineConfiguration()
        .withImageReference(
            new ImageReference()
                .withPublisher("canonical")
                .withOffer("0001-com-ubuntu-server-jammy")
                .withSku("22_04-lts")
                .withVersion("latest"))
        .withNodeAgentSKUId("batch.node.ubuntu 22.04");
  }

  static BatchClient sharedKeyClient(BatchRestDouble d, String key) {
    return BatchClient.open(new BatchSharedKeyCredentials(d.url(), d.accountName(), key));
  }

  /** A bearer-token credential for the track-1 client, as an azure-identity adapter would be. */
  static final class BearerCredentials extends TokenCredentials implements BatchCredentials {
    private final String baseUrl;
    private final Supplier<String> tokens;

    BearerCredentials(String baseUrl, Supplier<String> tokens) {
      super("Bearer", null);
      this.baseUrl = baseUrl;
      this.tokens = tokens;
    }

    @Override
    public String getToken(okhttp3.Request request) {
      return tokens.get();
    }

    @Override
    public String baseUrl() {
      return baseUrl;
    }
  }

  /** Polls until {@code poll} gives a non-null value; fails after {@code timeout}. */
  static <T> T await(String what, Duration timeout, Supplier<T> poll) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T v = poll.get();
      if (v != null) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  /** Polls the pool until its allocation state is steady (allocation takes service time). */
  static CloudPool awaitSteady(BatchClient client, String poolId) throws InterruptedException {
    return await(
        "pool " + poolId + " steady",
        Duration.ofSeconds(30),
        () -> {
          try {
            CloudPool p = client.poolOperations().getPool(poolId);
            return p.allocationState() == AllocationState.STEADY ? p : null;
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        });
  }

  /** A JDK HTTP server on 127.0.0.1 serving fixed files (GET) and capturing uploads (PUT). */
  static final class LocalHttp implements AutoCloseable {
    /** An upload: path, raw query, the x-ms-blob-type header, body. */
    record Upload(String path, String query, String blobType, byte[] body) {}

    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final List<Upload> uploads = new CopyOnWriteArrayList<>();
    final List<String> gets = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    LocalHttp() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(executor);
      server.createContext(
          "/",
          ex -> {
            try (ex) {
              String path = ex.getRequestURI().getPath();
              byte[] body = ex.getRequestBody().readAllBytes();
              if (ex.getRequestMethod().equals("PUT")) {
                uploads.add(
                    new Upload(
                        path,
                        ex.getRequestURI().getRawQuery(),
                        ex.getRequestHeaders().getFirst("x-ms-blob-type"),
                        body));
                ex.sendResponseHeaders(201, -1);
                return;
              }
              String query = ex.getRequestURI().getRawQuery();
              gets.add(query == null ? path : path + "?" + query);
              if (query != null && query.contains("comp=list")) {
                byte[] xml = listing(path, query).getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/xml");
                ex.sendResponseHeaders(200, xml.length);
                ex.getResponseBody().write(xml);
                return;
              }
              byte[] file = files.get(path);
              if (file == null) {
                ex.sendResponseHeaders(404, -1);
                return;
              }
              ex.sendResponseHeaders(200, file.length);
              ex.getResponseBody().write(file);
            }
          });
      server.start();
    }

    /** A Blob service List Blobs answer for the files under {@code container}/{@code prefix}. */
    private String listing(String container, String query) {
      String prefix = "";
      for (String p : query.split("&")) {
        if (p.startsWith("prefix=")) {
          prefix = URLDecoder.decode(p.substring(7), StandardCharsets.UTF_8);
        }
      }
      StringBuilder xml =
          new StringBuilder(
              "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults><Blobs>");
      for (String f : new TreeSet<>(files.keySet())) {
        if (f.startsWith(container + "/" + prefix)) {
          xml.append("<Blob><Name>")
              .append(f.substring(container.length() + 1))
              .append("</Name><Properties/></Blob>");
        }
      }
      return xml.append("</Blobs><NextMarker/></EnumerationResults>").toString();
    }

    String url(String path) {
      return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    Upload upload(String path) {
      return uploads.stream().filter(u -> u.path().equals(path)).findFirst().orElse(null);
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
