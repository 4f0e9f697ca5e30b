package dev.redwood.runner.batch.azure.restdouble;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchCredentials;
import com.microsoft.azure.batch.auth.BatchSharedKeyCredentials;
import com.microsoft.azure.batch.protocol.models.AllocationState;
import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
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
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Clients, pools, polling and small local HTTP servers for the double's tests (public for the tests
 * of the Azure backend, which use the double from another package).
 */
public final class DoubleTestSupport {
  /** How long the tests wait for nodes to reach a state (service time runs on a scaled clock). */
  public static final Duration NODE_TIMEOUT = Duration.ofSeconds(30);

  /** Nodes in these states are still being set up: allocated, booting, running the start task. */
  private static final List<ComputeNodeState> BOOTING =
      List.of(
          ComputeNodeState.CREATING,
          ComputeNodeState.STARTING,
          ComputeNodeState.WAITING_FOR_START_TASK);

  private DoubleTestSupport() {}

  /** The Ubuntu 22.04 image the tests' pools name (the double runs commands on this host). */
  public static VirtualMachineConfiguration ubuntu() {
    return new VirtualMachineConfiguration()
        .withImageReference(
            new ImageReference()
                .withPublisher("canonical")
                .withOffer("0001-com-ubuntu-server-jammy")
                .withSku("22_04-lts")
                .withVersion("latest"))
        .withNodeAgentSKUId("batch.node.ubuntu 22.04");
  }

  /**
   * A pool of {@code dedicated} nodes of {@code vmSize} on the {@link #ubuntu()} image, {@code
   * slots} task slots each; callers add a start task or low-priority nodes with the usual {@code
   * with...} calls.
   */
  public static PoolAddParameter ubuntuPool(String id, String vmSize, int dedicated, int slots) {
    return new PoolAddParameter()
        .withId(id)
        .withVmSize(vmSize)
        .withVirtualMachineConfiguration(ubuntu())
        .withTargetDedicatedNodes(dedicated)
        .withTaskSlotsPerNode(slots);
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

  /** The nodes of {@code poolId} as the service lists them now. */
  public static List<ComputeNode> nodes(BatchClient client, String poolId) {
    try {
      return client.computeNodeOperations().listComputeNodes(poolId);
    } catch (IOException e) {
      throw new AssertionError("cannot list the nodes of pool " + poolId, e);
    }
  }

  /**
   * Polls the nodes of {@code poolId} until {@code done} accepts the list, and returns that list;
   * fails after {@code timeout}, saying it waited for {@code what}.
   */
  public static List<ComputeNode> awaitNodes(
      BatchClient client,
      String poolId,
      String what,
      Duration timeout,
      Predicate<List<ComputeNode>> done)
      throws InterruptedException {
    return await(
        what + " in pool " + poolId,
        timeout,
        () -> {
          List<ComputeNode> listed = nodes(client, poolId);
          return done.test(listed) ? listed : null;
        });
  }

  /** Waits for {@code poolId} to have exactly {@code count} nodes, all in {@code state}. */
  public static List<ComputeNode> awaitNodesIn(
      BatchClient client, String poolId, ComputeNodeState state, int count)
      throws InterruptedException {
    return awaitNodes(
        client,
        poolId,
        count + " " + state + " nodes",
        NODE_TIMEOUT,
        listed -> listed.size() == count && listed.stream().allMatch(n -> n.state() == state));
  }

  /** Waits for the first node of {@code poolId} to be in {@code state}, and returns it. */
  public static ComputeNode awaitFirstNodeIn(
      BatchClient client, String poolId, ComputeNodeState state) throws InterruptedException {
    return awaitNodes(
            client,
            poolId,
            "a " + state + " node",
            NODE_TIMEOUT,
            listed -> !listed.isEmpty() && listed.get(0).state() == state)
        .get(0);
  }

  /**
   * Waits for the first node of {@code poolId} to be past its setup (allocated, booted, start task
   * done, whether it succeeded or not), and returns it.
   */
  public static ComputeNode awaitSettledNode(BatchClient client, String poolId, Duration timeout)
      throws InterruptedException {
    return awaitNodes(
            client,
            poolId,
            "a node past its setup",
            timeout,
            listed -> !listed.isEmpty() && !BOOTING.contains(listed.get(0).state()))
        .get(0);
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
