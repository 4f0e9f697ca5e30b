package dev.redwood.runner.batch.azure.restdouble;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP/1.1 server on 127.0.0.1 (keep-alive, fixed-length and chunked request bodies).
 *
 * <p>The JDK's {@code com.sun.net.httpserver} rewrites response header names ({@code request-id}
 * goes out as {@code Request-id}, {@code ETag} as {@code Etag}); the Batch SDK maps response
 * headers onto its header classes by exact name, so the double writes them itself, exactly as
 * given.
 */
final class MiniHttpServer implements AutoCloseable {
  /** Largest request body read; a larger one drops the connection. */
  static final int MAX_BODY_BYTES = 64 << 20;

  private static final int MAX_LINE = 64 << 10;
  private static final int MAX_HEADERS = 200;

  /** Longer than OkHttp's 5-minute keep-alive, so the client always gives up a connection first. */
  private static final int IDLE_TIMEOUT_MS = 310_000;

  /** Handles one request; never called concurrently for one connection. */
  interface Handler {
    Response handle(Request request);
  }

  /** A parsed request: raw (still percent-encoded) path and query, headers as received. */
  static final class Request {
    final String method;
    final String rawPath;
    final String rawQuery;
    final List<Map.Entry<String, String>> headers;
    final byte[] body;

    Request(
        String method,
        String rawPath,
        String rawQuery,
        List<Map.Entry<String, String>> headers,
        byte[] body) {
      this.method = method;
      this.rawPath = rawPath;
      this.rawQuery = rawQuery;
      this.headers = headers;
      this.body = body;
    }

    /** The last value of a header (names compare case-insensitively), or null. */
    String header(String name) {
      String value = null;
      for (Map.Entry<String, String> h : headers) {
        if (h.getKey().equalsIgnoreCase(name)) {
          value = h.getValue();
        }
      }
      return value;
    }
  }

  /** A response; header names are written exactly as put. */
  static final class Response {
    final int status;
    final Map<String, String> headers = new LinkedHashMap<>();
    byte[] body = new byte[0];

    /** Close the connection without writing anything. */
    boolean drop;

    /** For HEAD: the Content-Length to announce (no body is written). Null: the body's length. */
    Long announcedLength;

    Response(int status) {
      this.status = status;
    }

    static Response dropConnection() {
      Response r = new Response(0);
      r.drop = true;
      return r;
    }

    Response header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    Response body(byte[] bytes) {
      this.body = bytes;
      return this;
    }
  }

  private final Handler handler;
  private final ServerSocket serverSocket;
  private final ExecutorService connections;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private Thread acceptor;

  MiniHttpServer(Handler handler) throws IOException {
    this.handler = handler;
    this.serverSocket = new ServerSocket();
    serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    this.connections =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "batch-double-http");
              t.setDaemon(true);
              return t;
            });
  }

  int port() {
    return serverSocket.getLocalPort();
  }

  void start() {
    acceptor = new Thread(this::acceptLoop, "batch-double-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket socket = serverSocket.accept();
        if (closed) {
          socket.close();
          break;
        }
        open.add(socket);
        connections.execute(() -> serve(socket));
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setSoTimeout(IDLE_TIMEOUT_MS);
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = new BufferedOutputStream(socket.getOutputStream());
      while (!closed) {
        String requestLine = readLine(in);
        if (requestLine == null) {
          return;
        }
        if (requestLine.isEmpty()) {
          continue;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
          writeSimple(out, 400, "Bad Request");
          return;
        }
        boolean http10 = parts[2].equals("HTTP/1.0");
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String line = readLine(in); ; line = readLine(in)) {
          if (line == null) {
            return;
          }
          if (line.isEmpty()) {
            break;
          }
          int colon = line.indexOf(':');
          if (colon <= 0 || headers.size() >= MAX_HEADERS) {
            writeSimple(out, 400, "Bad Request");
            return;
          }
          headers.add(Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
        Request probe = new Request(parts[0], "", null, headers, new byte[0]);
        if ("100-continue".equalsIgnoreCase(probe.header("Expect"))) {
          out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
        byte[] body = readBody(in, probe);
        if (body == null) {
          return; // too large or malformed: drop
        }
        String target = parts[1];
        if (target.startsWith("http://") || target.startsWith("https://")) {
          int slash = target.indexOf('/', target.indexOf("//") + 2);
          target = slash < 0 ? "/" : target.substring(slash);
        }
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        String rawQuery = q < 0 ? null : target.substring(q + 1);
        Request request = new Request(parts[0], rawPath, rawQuery, headers, body);
        Response response;
        try {
          response = handler.handle(request);
        } catch (RuntimeException e) {
          response = new Response(500).body(String.valueOf(e).getBytes(StandardCharsets.UTF_8));
        }
        if (response.drop) {
          socket.setSoLinger(true, 0); // reset: the client sees an I/O error, not a response
          return;
        }
        boolean close =
            http10
                ? !"keep-alive".equalsIgnoreCase(request.header("Connection"))
                : "close".equalsIgnoreCase(request.header("Connection"));
        write(out, request.method, response, close);
        if (close) {
          return;
        }
      }
    } catch (SocketTimeoutException | SocketException e) {
      // idle keep-alive connection, or the client went away
    } catch (IOException e) {
      // the client went away
    } finally {
      open.remove(socket);
    }
  }

  private static byte[] readBody(InputStream in, Request headersOnly) throws IOException {
    String te = headersOnly.header("Transfer-Encoding");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String sizeLine = readLine(in);
        if (sizeLine == null) {
          return null;
        }
        int semi = sizeLine.indexOf(';');
        int size;
        try {
          size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
        } catch (NumberFormatException e) {
          return null;
        }
        if (size == 0) {
          for (String trailer = readLine(in); trailer != null && !trailer.isEmpty(); ) {
            trailer = readLine(in);
          }
          return body.toByteArray();
        }
        if (body.size() + (long) size > MAX_BODY_BYTES) {
          return null;
        }
        byte[] chunk = in.readNBytes(size);
        if (chunk.length != size) {
          return null;
        }
        body.write(chunk);
        readLine(in); // CRLF after the chunk
      }
    }
    String cl = headersOnly.header("Content-Length");
    if (cl == null) {
      return new byte[0];
    }
    long length;
    try {
      length = Long.parseLong(cl.trim());
    } catch (NumberFormatException e) {
      return null;
    }
    if (length < 0 || length > MAX_BODY_BYTES) {
      return null;
    }
    byte[] body = in.readNBytes((int) length);
    return body.length == length ? body : null;
  }

  private static void write(OutputStream out, String method, Response r, boolean close)
      throws IOException {
    StringBuilder head = new StringBuilder();
    head.append("HTTP/1.1 ").append(r.status).append(' ').append(reason(r.status)).append("\r\n");
    boolean noBody = method.equals("HEAD") || r.status == 204 || r.status == 304 || r.status < 200;
    for (Map.Entry<String, String> h : r.headers.entrySet()) {
      if (!h.getKey().equalsIgnoreCase("Content-Length")) {
        head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
      }
    }
    if (r.status != 204 && r.status != 304 && r.status >= 200) {
      long length = r.announcedLength != null ? r.announcedLength : r.body.length;
      head.append("Content-Length: ").append(length).append("\r\n");
    }
    if (close) {
      head.append("Connection: close\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.UTF_8));
    if (!noBody) {
      out.write(r.body);
    }
    out.flush();
  }

  private static void writeSimple(OutputStream out, int status, String text) throws IOException {
    Response r = new Response(status).body(text.getBytes(StandardCharsets.UTF_8));
    write(out, "GET", r, true);
  }

  /** Reads a CRLF- (or LF-) terminated line as ISO-8859-1; null at end of stream. */
  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int n = line.length();
        if (n > 0 && line.charAt(n - 1) == '\r') {
          line.setLength(n - 1);
        }
        return line.toString();
      }
      if (line.length() >= MAX_LINE) {
        throw new IOException("header line too long");
      }
      line.append((char) c);
    }
    return line.length() == 0 ? null : line.toString();
  }

  static String reason(int status) {
    switch (status) {
      case 100:
        return "Continue";
      case 200:
        return "OK";
      case 201:
        return "Created";
      case 202:
        return "Accepted";
      case 204:
        return "No Content";
      case 400:
        return "Bad Request";
      case 401:
        return "Unauthorized";
      case 403:
        return "Forbidden";
      case 404:
        return "Not Found";
      case 405:
        return "Method Not Allowed";
      case 409:
        return "Conflict";
      case 412:
        return "Precondition Failed";
      case 413:
        return "Request Entity Too Large";
      case 429:
        return "Too Many Requests";
      case 500:
        return "Internal Server Error";
      case 502:
        return "Bad Gateway";
      case 503:
        return "Service Unavailable";
      case 504:
        return "Gateway Timeout";
      default:
        return "Status " + status;
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      serverSocket.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    connections.shutdownNow();
    try {
      connections.awaitTermination(5, TimeUnit.SECONDS);
      if (acceptor != null) {
        acceptor.join(5_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
