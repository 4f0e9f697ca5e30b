package dev.redwood.runner.batch.azure.restdouble;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * What a Batch node agent does for one command: fetch resource files, run {@code /bin/bash -c} in
 * the working directory with stdout/stderr to files, upload output files. Processes run on this
 * host (also for tasks with containerSettings; {@link ContainerRuntime} checks those first).
 */
final class NodeAgent {
  /** A failure before or after the command (download, upload), as a Batch failureInfo code. */
  static final class StepFailure extends Exception {
    final String code;

    StepFailure(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  /** The outcome of a command: its exit code, or that it ran out of wall-clock time. */
  static final class RunResult {
    final int exitCode;
    final boolean timedOut;

    RunResult(int exitCode, boolean timedOut) {
      this.exitCode = exitCode;
      this.timedOut = timedOut;
    }
  }

  private static final String STORAGE_VERSION = "2021-08-06";

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();
  private final Set<ProcessHandle> spawned = ConcurrentHashMap.newKeySet();

  /** Set in scale mode: Java task mains run in threads of this JVM ({@link InProcessJava}). */
  volatile InProcessJava inProcessJava;

  /** The {@code docker} of nodes whose image has a container runtime. */
  final DockerCli docker;

  NodeAgent(Path root) {
    this.docker = new DockerCli(root);
  }

  /**
   * How long a new node's image holds the dpkg lock after boot (its first-boot apt run); see {@link
   * MarketplaceImage}.
   */
  volatile Duration aptLockAtBoot = Duration.ZERO;

  /**
   * The environment every command on {@code node} starts from, as on a fresh image: a PATH of the
   * image's basic tools only (no {@code java} until the start task installs one), and HOME.
   */
  Map<String, String> baseEnvironment(Sim.Node node) {
    Path bin;
    try {
      bin =
          MarketplaceImage.install(
              node.root.resolveSibling(node.id + ".os").resolve("bin"),
              MarketplaceImage.hasApt(node.pool.spec),
              node.allocated.plus(aptLockAtBoot));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot set up the image of node " + node.id, e);
    }
    if (ContainerRuntime.hasRuntime(node.pool.spec)) {
      try {
        docker.install(bin, bin.resolveSibling("docker"));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("cannot set up the Docker of node " + node.id, e);
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", bin.toString());
    env.put("HOME", node.root.toString());
    return env;
  }

  /** Adds {@code [{"name":..,"value":..}]} environment settings to {@code env}. */
  static void addSettings(Map<String, String> env, JsonNode settings) {
    if (settings != null && settings.isArray()) {
      for (JsonNode s : settings) {
        String name = Json.text(s, "name");
        if (name != null) {
          String value = Json.text(s, "value");
          env.put(name, value == null ? "" : value);
        }
      }
    }
  }

  /**
   * Runs {@code /bin/bash -c commandLine}; null when the execution was cancelled (its process, if
   * any, is killed by the canceller).
   */
  RunResult run(
      Sim.Execution execution,
      String commandLine,
      Path workingDir,
      Path stdout,
      Path stderr,
      Map<String, String> env,
      Duration maxWallClock)
      throws IOException, InterruptedException {
    InProcessJava threads = inProcessJava;
    if (threads != null) {
      java.util.Optional<List<String>> main = InProcessJava.parse(commandLine);
      if (main.isPresent()) {
        java.nio.file.Files.writeString(stdout, "");
        java.nio.file.Files.writeString(stderr, "");
        return threads.run(execution, main.get(), env, stderr);
      }
    }
    ProcessBuilder pb =
        new ProcessBuilder("/bin/bash", "-c", commandLine)
            .directory(workingDir.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = execution.start(pb);
    if (p == null) {
      return null;
    }
    spawned.add(p.toHandle());
    long deadline =
        maxWallClock == null ? Long.MAX_VALUE : System.nanoTime() + maxWallClock.toNanos();
    try {
      while (!p.waitFor(500, TimeUnit.MILLISECONDS)) {
        if (execution.cancelled()) {
          killTree(p.toHandle());
        } else if (System.nanoTime() > deadline) {
          killTree(p.toHandle());
          p.waitFor(10, TimeUnit.SECONDS);
          return new RunResult(p.isAlive() ? -1 : p.exitValue(), true);
        }
      }
    } finally {
      spawned.remove(p.toHandle());
    }
    return execution.cancelled() ? null : new RunResult(p.exitValue(), false);
  }

  /** Kills a process and the descendants it has now. */
  static void killTree(ProcessHandle root) {
    List<ProcessHandle> all = root.descendants().collect(Collectors.toList());
    root.destroyForcibly();
    for (ProcessHandle h : all) {
      h.destroyForcibly();
    }
    for (ProcessHandle h : all) {
      h.descendants().forEach(ProcessHandle::destroyForcibly);
    }
  }

  /** Root processes started here that are still alive. */
  List<ProcessHandle> alive() {
    return spawned.stream().filter(ProcessHandle::isAlive).collect(Collectors.toList());
  }

  /** Kills every process started here and waits (bounded) for them to go. */
  void killAll(Duration wait) {
    List<ProcessHandle> roots = new ArrayList<>(spawned);
    List<ProcessHandle> everything = new ArrayList<>();
    for (ProcessHandle r : roots) {
      everything.add(r);
      r.descendants().forEach(everything::add);
      killTree(r);
    }
    long deadline = System.nanoTime() + wait.toNanos();
    for (ProcessHandle h : everything) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        h.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        // timed out or interrupted: nothing more to do
      }
    }
  }

  // ---- resource files

  /** Downloads resource files into {@code workingDir} (plain GETs of their URLs). */
  void downloadResourceFiles(JsonNode resourceFiles, Path workingDir) throws StepFailure {
    if (resourceFiles == null || !resourceFiles.isArray()) {
      return;
    }
    for (JsonNode rf : resourceFiles) {
      String httpUrl = Json.text(rf, "httpUrl");
      String containerUrl = Json.text(rf, "storageContainerUrl");
      String filePath = Json.text(rf, "filePath");
      String fileMode = Json.text(rf, "fileMode");
      if (httpUrl != null) {
        if (filePath == null) {
          throw new StepFailure(
              "ResourceFileCreateFailed", "filePath is required with httpUrl (" + httpUrl + ")");
        }
        Path target = inside(workingDir, filePath);
        download(httpUrl, target);
        applyMode(target, fileMode);
      } else if (containerUrl != null) {
        String prefix = Json.text(rf, "blobPrefix");
        Path dir = filePath == null ? workingDir : inside(workingDir, filePath);
        String[] baseAndSas = splitSas(containerUrl);
        for (String blob : listBlobs(baseAndSas[0], baseAndSas[1], prefix)) {
          Path target = inside(dir, blob);
          download(blobUrl(baseAndSas[0], blob, baseAndSas[1]), target);
          applyMode(target, fileMode);
        }
      } else {
        throw new StepFailure(
            "BlobDownloadMiscError",
            "the double supports httpUrl and storageContainerUrl resource files only: " + rf);
      }
    }
  }

  private static Path inside(Path dir, String relative) throws StepFailure {
    Path p = dir.resolve(relative).normalize();
    if (Path.of(relative).isAbsolute() || !p.startsWith(dir.normalize())) {
      throw new StepFailure(
          "ResourceFileCreateFailed", "file path leaves the working directory: " + relative);
    }
    return p;
  }

  private void download(String url, Path target) throws StepFailure {
    try {
      Files.createDirectories(target.getParent());
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(url))
              .timeout(Duration.ofSeconds(120))
              .header("x-ms-version", STORAGE_VERSION)
              .GET()
              .build();
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        int status = response.statusCode();
        if (status != 200) {
          in.readAllBytes();
          String code =
              status == 404
                  ? "BlobNotFound"
                  : status == 403 || status == 401 ? "BlobAccessDenied" : "BlobDownloadMiscError";
          throw new StepFailure(code, "GET " + redact(url) + " answered " + status);
        }
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new StepFailure("BlobDownloadMiscError", "GET " + redact(url) + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepFailure("BlobDownloadMiscError", "interrupted");
    }
  }

  private List<String> listBlobs(String containerBase, String sas, String prefix)
      throws StepFailure {
    List<String> names = new ArrayList<>();
    String marker = null;
    do {
      StringBuilder url = new StringBuilder(containerBase).append("?restype=container&comp=list");
      if (prefix != null && !prefix.isEmpty()) {
        url.append("&prefix=").append(URLEncoder.encode(prefix, StandardCharsets.UTF_8));
      }
      if (marker != null) {
        url.append("&marker=").append(URLEncoder.encode(marker, StandardCharsets.UTF_8));
      }
      if (!sas.isEmpty()) {
        url.append('&').append(sas);
      }
      try {
        HttpResponse<byte[]> response =
            http.send(
                HttpRequest.newBuilder(URI.create(url.toString()))
                    .timeout(Duration.ofSeconds(60))
                    .header("x-ms-version", STORAGE_VERSION)
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
          throw new StepFailure(
              response.statusCode() == 403 ? "BlobAccessDenied" : "BlobDownloadMiscError",
              "listing " + containerBase + " answered " + response.statusCode());
        }
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc =
            f.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(response.body()));
        NodeList blobs = doc.getElementsByTagName("Blob");
        for (int i = 0; i < blobs.getLength(); i++) {
          org.w3c.dom.Element blob = (org.w3c.dom.Element) blobs.item(i);
          NodeList name = blob.getElementsByTagName("Name");
          if (name.getLength() > 0) {
            names.add(name.item(0).getTextContent());
          }
        }
        NodeList next = doc.getElementsByTagName("NextMarker");
        marker =
            next.getLength() > 0 && !next.item(0).getTextContent().isEmpty()
                ? next.item(0).getTextContent()
                : null;
      } catch (StepFailure e) {
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StepFailure("BlobDownloadMiscError", "interrupted");
      } catch (Exception e) {
        throw new StepFailure("BlobDownloadMiscError", "listing " + containerBase + ": " + e);
      }
    } while (marker != null);
    return names;
  }

  private static void applyMode(Path file, String octal) throws StepFailure {
    if (octal == null || octal.isEmpty()) {
      return;
    }
    try {
      int mode = Integer.parseInt(octal, 8);
      Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
      PosixFilePermission[] order = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_READ
      };
      for (int bit = 0; bit < order.length; bit++) {
        if ((mode & (1 << bit)) != 0) {
          perms.add(order[bit]);
        }
      }
      Files.setPosixFilePermissions(file, perms);
    } catch (NumberFormatException | IOException e) {
      throw new StepFailure("ResourceFileWriteFailed", "fileMode " + octal + ": " + e);
    }
  }

  // ---- output files

  /**
   * Uploads the output files whose uploadCondition matches the exit code, with {@code PUT
   * {container}/{path}?{sas}} and {@code x-ms-blob-type: BlockBlob}. Like the node agent, writes
   * what it uploaded to {@code fileuploadout.txt} and what failed to {@code fileuploaderr.txt} in
   * the task directory, and fails with the first failure's Batch code (FileUploadContainerNotFound,
   * FileUploadMiscError).
   */
  void uploadOutputFiles(JsonNode outputFiles, Path workingDir, int exitCode) throws StepFailure {
    if (outputFiles == null || !outputFiles.isArray()) {
      return;
    }
    StringBuilder uploaded = new StringBuilder();
    StringBuilder errors = new StringBuilder();
    StepFailure first = null;
    for (JsonNode of : outputFiles) {
      String condition = Json.text(of.path("uploadOptions"), "uploadCondition");
      condition = condition == null ? "taskcompletion" : condition.toLowerCase();
      boolean applies =
          condition.equals("taskcompletion")
              || (condition.equals("tasksuccess") && exitCode == 0)
              || (condition.equals("taskfailure") && exitCode != 0);
      if (!applies) {
        continue;
      }
      String pattern = Json.text(of, "filePattern");
      JsonNode container = of.path("destination").path("container");
      String containerUrl = Json.text(container, "containerUrl");
      if (pattern == null || containerUrl == null) {
        continue;
      }
      String path = Json.text(container, "path");
      Map<String, String> headers = new LinkedHashMap<>();
      for (JsonNode h : container.path("uploadHeaders")) {
        String name = Json.text(h, "name");
        if (name != null) {
          headers.put(name, String.valueOf(Json.text(h, "value")));
        }
      }
      try {
        String[] baseAndSas = splitSas(containerUrl);
        for (Map.Entry<Path, String> file : match(workingDir, pattern, path).entrySet()) {
          String url = blobUrl(baseAndSas[0], file.getValue(), baseAndSas[1]);
          upload(file.getKey(), url, headers);
          uploaded.append(file.getKey()).append(" -> ").append(redact(url)).append('\n');
        }
      } catch (StepFailure e) {
        errors.append(e.code).append(": ").append(e.getMessage()).append('\n');
        if (first == null) {
          first = e;
        }
      }
    }
    Path taskDir = workingDir.getParent();
    try {
      Files.writeString(taskDir.resolve("fileuploadout.txt"), uploaded);
      Files.writeString(taskDir.resolve("fileuploaderr.txt"), errors);
    } catch (IOException e) {
      throw new StepFailure("FileUploadMiscError", "cannot write the upload logs: " + e);
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * The files a pattern names, with their blob names. Without wildcards: the one file, named {@code
   * path} (or its file name). With wildcards: every matching file under the pattern's fixed leading
   * directories, named {@code path/} + its path relative to those directories.
   */
  static Map<Path, String> match(Path workingDir, String pattern, String path) throws StepFailure {
    Map<Path, String> out = new LinkedHashMap<>();
    String p = pattern.replace('\\', '/');
    String[] parts = p.split("/");
    int fixed = 0;
    while (fixed < parts.length && !hasWildcard(parts[fixed])) {
      fixed++;
    }
    if (fixed == parts.length) {
      Path file = workingDir.resolve(p).normalize();
      if (Files.isRegularFile(file)) {
        out.put(file, path != null && !path.isEmpty() ? path : file.getFileName().toString());
      }
      return out;
    }
    Path base = workingDir.resolve(String.join("/", List.of(parts).subList(0, fixed))).normalize();
    String glob = String.join("/", List.of(parts).subList(fixed, parts.length));
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    PathMatcher shallow =
        glob.startsWith("**/")
            ? FileSystems.getDefault().getPathMatcher("glob:" + glob.substring(3))
            : null;
    if (!Files.isDirectory(base)) {
      return out;
    }
    String prefix = path == null || path.isEmpty() ? "" : path.replaceAll("/+$", "") + "/";
    try (Stream<Path> files = Files.walk(base)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        Path rel = base.relativize(f);
        if (matcher.matches(rel) || (shallow != null && shallow.matches(rel))) {
          out.put(f, prefix + rel.toString().replace('\\', '/'));
        }
      }
    } catch (IOException e) {
      throw new StepFailure("FileUploadMiscError", "listing " + base + ": " + e);
    }
    return out;
  }

  private static boolean hasWildcard(String s) {
    return s.contains("*") || s.contains("?") || s.contains("[");
  }

  private void upload(Path file, String url, Map<String, String> extraHeaders) throws StepFailure {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(url))
              .timeout(Duration.ofSeconds(120))
              .header("x-ms-blob-type", "BlockBlob")
              .header("x-ms-version", STORAGE_VERSION)
              .header("Content-Type", "application/octet-stream");
      extraHeaders.forEach(b::setHeader);
      HttpResponse<byte[]> response =
          http.send(
              b.PUT(HttpRequest.BodyPublishers.ofFile(file)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      int status = response.statusCode();
      if (status / 100 != 2) {
        String answer =
            "PUT "
                + redact(url)
                + " answered "
                + status
                + " "
                + response.headers().firstValue("x-ms-error-code").orElse("");
        if (status == 404) {
          throw new StepFailure(
              "FileUploadContainerNotFound",
              "One of the specified Azure container(s) was not found while attempting to upload"
                  + " an output file ("
                  + answer
                  + ")");
        }
        throw new StepFailure(
            "FileUploadMiscError", "An output file could not be uploaded (" + answer + ")");
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new StepFailure("FileUploadMiscError", "PUT " + redact(url) + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepFailure("FileUploadMiscError", "interrupted");
    }
  }

  // ---- URLs

  /** {container URL without query, SAS query (may be empty)}. */
  static String[] splitSas(String containerUrl) {
    int q = containerUrl.indexOf('?');
    String base = q < 0 ? containerUrl : containerUrl.substring(0, q);
    String sas = q < 0 ? "" : containerUrl.substring(q + 1);
    return new String[] {base.replaceAll("/+$", ""), sas};
  }

  static String blobUrl(String containerBase, String blobName, String sas) {
    StringBuilder url = new StringBuilder(containerBase);
    for (String segment : blobName.split("/")) {
      url.append('/')
          .append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    if (!sas.isEmpty()) {
      url.append('?').append(sas);
    }
    return url.toString();
  }

  /** A URL without its query (no SAS in messages). */
  static String redact(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?<redacted>";
  }
}
