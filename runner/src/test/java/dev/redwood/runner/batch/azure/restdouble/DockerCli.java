package dev.redwood.runner.batch.azure.restdouble;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The {@code docker} command of the double's nodes whose image has a container runtime (the images
 * {@link ContainerRuntime} lists as Docker-compatible), for tasks that start containers themselves
 * on the host, as Beam's DOCKER environments do. As strict as Docker on a Batch node:
 *
 * <ul>
 *   <li>Only a task running as an admin user may use it (the Docker socket belongs to root and the
 *       docker group); others get Docker's "permission denied ... docker.sock".
 *   <li>An image runs only if the simulated registries hold it ({@link #addImage}); any other pull
 *       or run fails with Docker's "pull access denied" (exit code 1 for pull, 125 for run).
 *   <li>A container belongs to the node's daemon, not to the task that started it: it outlives the
 *       task unless someone kills it, and {@link BatchRestDouble#liveProcesses} counts it.
 * </ul>
 *
 * What a container runs is a host process: the image's entrypoint (a host command given to {@link
 * #addImage}) with the run's arguments, in a session of its own, with only the variables the run
 * passes ({@code --env}), as a container sees no host environment. It knows the commands Beam's
 * environment factory uses: {@code version}, {@code pull}, {@code run -d}, {@code inspect -f
 * '{{.State.Running}}'}, {@code logs}, {@code kill} and {@code rm}.
 */
final class DockerCli {
  /** The variable through which the double tells its docker the task user's elevation level. */
  static final String ELEVATION_VARIABLE = "BATCH_DOUBLE_USER_ELEVATION";

  private final Path images;

  /**
   * @param root a directory of the double's own, where the registries' images are listed
   */
  DockerCli(Path root) {
    this.images = root.resolve("docker-images");
  }

  /**
   * Puts {@code image} into the simulated registries, with the host command its entrypoint runs.
   */
  void addImage(String image, List<String> entrypoint) {
    StringBuilder script = new StringBuilder("#!/bin/bash\n# entrypoint of ").append(image);
    script.append("\nexec");
    for (String word : entrypoint) {
      script.append(" '").append(word.replace("'", "'\\''")).append('\'');
    }
    script.append(" \"$@\"\n");
    try {
      Files.createDirectories(images);
      Path file = images.resolve(digest(image));
      Files.writeString(file, script, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list image " + image, e);
    }
  }

  /** The elevation level of a task's, start task's or preparation's user identity. */
  static String elevation(com.fasterxml.jackson.databind.JsonNode spec) {
    String level = Json.text(spec.path("userIdentity").path("autoUser"), "elevationLevel");
    return level == null ? "nonadmin" : level.toLowerCase(java.util.Locale.ROOT);
  }

  /** Writes the node's {@code docker} into {@code bin}, its daemon's state under {@code state}. */
  synchronized void install(Path bin, Path state) throws IOException {
    Path docker = bin.resolve("docker");
    if (Files.exists(docker)) {
      return;
    }
    // Written beside and moved: a task of the node may be looking for it meanwhile.
    Path part = bin.resolve(".docker.part");
    Files.writeString(part, script(state), StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.move(part, docker, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** The containers still running on the nodes under {@code nodeRoot} (pool/node.os/docker). */
  static List<ProcessHandle> liveContainers(Path nodeRoot) {
    List<ProcessHandle> live = new ArrayList<>();
    for (Path pool : list(nodeRoot)) {
      for (Path os : list(pool)) {
        if (os.getFileName().toString().endsWith(".os")) {
          for (Path container : list(os.resolve("docker").resolve("containers"))) {
            pid(container.resolve("pid")).filter(DockerCli::running).ifPresent(live::add);
          }
        }
      }
    }
    return live;
  }

  private static List<Path> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.toList();
    } catch (IOException e) {
      return List.of(); // went away while listing: what it held went with it
    }
  }

  /** Kills every container on the nodes under {@code nodeRoot}, as the nodes going away do. */
  static void killAll(Path nodeRoot) {
    for (ProcessHandle container : liveContainers(nodeRoot)) {
      container.descendants().forEach(ProcessHandle::destroyForcibly);
      container.destroyForcibly();
    }
  }

  /** Alive and not a zombie (an exited container whose parent, init, has not reaped it yet). */
  private static boolean running(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      return !stat.substring(stat.lastIndexOf(')') + 1).strip().startsWith("Z");
    } catch (IOException e) {
      return false;
    }
  }

  private static Optional<ProcessHandle> pid(Path file) {
    try {
      return ProcessHandle.of(Long.parseLong(Files.readString(file).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String digest(String image) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(image.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private String script(Path state) {
    return String.join(
        "\n",
        "#!/bin/bash",
        "# The batch double's docker (DockerCli): the node's Docker, for admin users only.",
        "PATH=/usr/bin:/bin",
        "images='" + images + "'",
        "state='" + state + "'",
        "if [ \"${" + ELEVATION_VARIABLE + ":-}\" != admin ]; then",
        "  echo 'permission denied while trying to connect to the Docker daemon socket at"
            + " unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.50/info\":"
            + " dial unix /var/run/docker.sock: connect: permission denied' >&2",
        "  exit 1",
        "fi",
        "entrypoint() {",
        "  local f=\"$images/$(printf '%s' \"$1\" | sha256sum | cut -c1-64)\"",
        "  [ -x \"$f\" ] && echo \"$f\"",
        "}",
        "denied() {",
        "  echo \"Error response from daemon: pull access denied for ${1%%:*}, repository does not"
            + " exist or may require 'docker login': denied: requested access to the resource is"
            + " denied\" >&2",
        "}",
        "alive() {",
        "  local p; p=\"$(cat \"$1/pid\" 2>/dev/null)\" || return 1",
        "  [ -r \"/proc/$p/stat\" ] && ! grep -q '^[0-9]* (.*) Z' \"/proc/$p/stat\"",
        "}",
        "container() {",
        "  dir=\"$state/containers/$1\"",
        "  if [ -z \"$1\" ] || [ ! -d \"$dir\" ]; then",
        "    echo \"Error response from daemon: No such container: $1\" >&2; exit 1",
        "  fi",
        "}",
        "cmd=\"$1\"; shift",
        "case \"$cmd\" in",
        "  version)",
        "    if [ \"$1\" = --format ] || [ \"$1\" = -f ]; then echo 28.2.2; else",
        "      echo 'Server: Docker Engine (batch double)'; echo ' Version: 28.2.2'; fi ;;",
        "  pull)",
        "    if [ -z \"$(entrypoint \"$1\")\" ]; then denied \"$1\"; exit 1; fi",
        "    echo \"$1: Pulling from ${1%%:*}\"; echo \"Status: Downloaded newer image for $1\" ;;",
        "  run)",
        "    detach=0; env=()",
        "    while [ $# -gt 0 ]; do",
        "      case \"$1\" in",
        "        -d|--detach) detach=1 ;;",
        "        --rm|--init|--privileged|--network=*|--name=*|--mount=*|--user=*|--workdir=*) ;;",
        "        --env=*) env+=(\"${1#--env=}\") ;;",
        "        -e|--env) shift; env+=(\"$1\") ;;",
        "        --network|--name|--mount|-v|--volume|-p|--publish|-u|--user|-w|--workdir) shift ;;",
        "        -*) echo \"unknown flag: $1\" >&2; echo \"See 'docker run --help'.\" >&2; exit 125 ;;",
        "        *) break ;;",
        "      esac",
        "      shift",
        "    done",
        "    image=\"$1\"; shift",
        "    ep=\"$(entrypoint \"$image\")\"",
        "    if [ -z \"$ep\" ]; then",
        "      echo \"Unable to find image '$image' locally\" >&2; denied \"$image\"",
        "      echo \"See 'docker run --help'.\" >&2; exit 125",
        "    fi",
        "    if [ \"$detach\" != 1 ]; then",
        "      echo 'the batch double runs containers detached (-d) only' >&2; exit 125",
        "    fi",
        "    vars=(); for v in \"${env[@]}\"; do case \"$v\" in *=*) vars+=(\"$v\") ;; esac; done",
        "    id=\"$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)\"",
        "    dir=\"$state/containers/$id\"; mkdir -p \"$dir\"; printf '%s\\n' \"$image\" > \"$dir/image\"",
        "    setsid env -i PATH=/usr/bin:/bin HOME=/root \"${vars[@]}\" \"$ep\" \"$@\" \\",
        "      > \"$dir/log\" 2>&1 < /dev/null &",
        "    echo $! > \"$dir/pid\"",
        "    echo \"$id\" ;;",
        "  inspect)",
        "    format=",
        "    while [ $# -gt 1 ]; do",
        "      case \"$1\" in -f|--format) shift; format=\"$1\" ;; esac; shift",
        "    done",
        "    container \"$1\"",
        "    if [ \"$format\" != '{{.State.Running}}' ]; then",
        "      echo \"the batch double's docker inspect knows -f '{{.State.Running}}' only\" >&2",
        "      exit 1",
        "    fi",
        "    if alive \"$dir\"; then echo true; else echo false; fi ;;",
        "  logs)",
        "    container \"$1\"; cat \"$dir/log\" ;;",
        "  kill)",
        "    container \"$1\"",
        "    if ! alive \"$dir\"; then",
        "      echo \"Error response from daemon: cannot kill container: $1: container $1 is not"
            + " running\" >&2",
        "      exit 1",
        "    fi",
        "    kill -KILL -- \"-$(cat \"$dir/pid\")\" 2>/dev/null",
        "    for i in $(seq 100); do alive \"$dir\" || break; sleep 0.1; done",
        "    echo \"$1\" ;;",
        "  rm)",
        "    container \"$1\"",
        "    if alive \"$dir\"; then",
        "      echo \"Error response from daemon: cannot remove container \\\"/$1\\\": container is"
            + " running: stop the container before removing or force remove\" >&2",
        "      exit 1",
        "    fi",
        "    rm -rf \"$dir\"; echo \"$1\" ;;",
        "  *)",
        "    echo \"docker: '$cmd' is not a command the batch double's docker knows (version, pull,"
            + " run -d, inspect, logs, kill, rm)\" >&2",
        "    exit 1 ;;",
        "esac",
        "");
  }
}
