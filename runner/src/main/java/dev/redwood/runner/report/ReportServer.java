package dev.redwood.runner.report;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Serves the run report live on a loopback port while the run goes ({@code --reportPort}): every
 * request renders the page afresh from what the run recorded so far. Loopback only: the page names
 * the job, its nodes and its failures, which is nothing to publish on a network.
 */
public final class ReportServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private ReportServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * @param port the port, or 0 for a free one
   * @param page renders the page
   */
  public static ReportServer start(int port, Supplier<String> page) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    // One thread: a person's browser sends one request at a time, and renders are cheap.
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "redwood-report-server");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", exchange -> handle(exchange, page));
    server.start();
    return new ReportServer(server, executor);
  }

  private static void handle(HttpExchange exchange, Supplier<String> page) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!"GET".equals(exchange.getRequestMethod())
          && !"HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      if (!path.equals("/") && !path.equals("/report.html")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      byte[] body = page.get().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      boolean head = "HEAD".equals(exchange.getRequestMethod());
      exchange.sendResponseHeaders(200, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port() + "/";
  }

  /** Stops serving; waits at most a second for a response under way. */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
  }
}
