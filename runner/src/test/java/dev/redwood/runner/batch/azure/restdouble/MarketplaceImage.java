package dev.redwood.runner.batch.azure.restdouble;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The operating system a simulated node boots from, as far as commands see it: a directory of basic
 * tools that is the node's whole PATH (no {@code java}), and on Debian and Ubuntu images an {@code
 * apt-get} that "installs" a Java runtime by linking this JVM's {@code java} into that directory.
 * Like a fresh marketplace image, the {@code apt-get} may be locked by the image's own first-boot
 * apt run for a while after the node boots: {@code update} then fails at once and {@code install}
 * fails unless {@code -o DPkg::Lock::Timeout=N} outlasts the lock, with apt's messages and exit
 * code 100. Other images (RHEL, Alma, CentOS, Windows, no image) have no {@code apt-get}.
 */
final class MarketplaceImage {
  /** What a fresh Ubuntu node has in /usr/bin and /bin that commands commonly use. */
  private static final List<String> BASIC_TOOLS =
      List.of(
          "bash",
          "sh",
          "env",
          "cat",
          "ls",
          "cp",
          "mv",
          "rm",
          "mkdir",
          "rmdir",
          "ln",
          "chmod",
          "touch",
          "echo",
          "printf",
          "sleep",
          "date",
          "sed",
          "awk",
          "grep",
          "sort",
          "uniq",
          "head",
          "tail",
          "wc",
          "tr",
          "cut",
          "paste",
          "tee",
          "find",
          "xargs",
          "basename",
          "dirname",
          "readlink",
          "realpath",
          "pwd",
          "id",
          "whoami",
          "uname",
          "hostname",
          "true",
          "false",
          "test",
          "expr",
          "seq",
          "tar",
          "gzip",
          "sha256sum",
          "stat",
          "du",
          "df",
          "ps",
          "kill",
          "timeout",
          "nproc",
          "mktemp",
          "which",
          "curl");

  private MarketplaceImage() {}

  /** Whether the pool's image is Debian or Ubuntu (by its node agent SKU), so it has apt-get. */
  static boolean hasApt(JsonNode poolSpec) {
    String agent = Json.text(poolSpec.path("virtualMachineConfiguration"), "nodeAgentSKUId");
    String sku = agent == null ? "" : agent.toLowerCase(Locale.ROOT);
    return sku.startsWith("batch.node.ubuntu") || sku.startsWith("batch.node.debian");
  }

  /**
   * Creates the node's tool directory {@code bin} (once) and returns it.
   *
   * @param aptLockedUntil when the image's first-boot apt releases the dpkg lock
   */
  static synchronized Path install(Path bin, boolean apt, Instant aptLockedUntil)
      throws IOException {
    if (Files.isDirectory(bin)) {
      return bin;
    }
    Path part = bin.resolveSibling(bin.getFileName() + ".part");
    if (Files.isDirectory(part)) {
      // Left by a double that stopped while it set up this node.
      try (java.util.stream.Stream<Path> files = Files.list(part)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.delete(f);
        }
      }
    }
    Files.createDirectories(part);
    for (String tool : BASIC_TOOLS) {
      for (String dir : List.of("/usr/bin", "/bin")) {
        Path host = Path.of(dir, tool);
        if (Files.isExecutable(host)) {
          Files.createSymbolicLink(part.resolve(tool), host);
          break;
        }
      }
    }
    if (apt) {
      Path aptGet = part.resolve("apt-get");
      Files.writeString(aptGet, aptGetScript(bin, aptLockedUntil), StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(aptGet, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.move(part, bin);
    return bin;
  }

  /**
   * A bash script that acts like apt-get for {@code update} and {@code install} of an OpenJDK
   * runtime; the package lists it "downloads" are a marker file next to {@code bin}.
   */
  private static String aptGetScript(Path bin, Instant lockedUntil) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path lists = bin.resolveSibling("apt-lists-updated");
    return String.join(
        "\n",
        "#!/bin/bash",
        "# The batch double's apt-get (MarketplaceImage): update, and install of a Java runtime.",
        "locked_until_ms=" + lockedUntil.toEpochMilli(),
        "now_ms() { date +%s%3N; }",
        "cmd=; timeout=0; yes=0; packages=()",
        "while [ $# -gt 0 ]; do",
        "  opt=",
        "  case \"$1\" in",
        "    -o) shift; opt=\"$1\" ;;",
        "    -o*) opt=\"${1#-o}\" ;;",
        "    -y|--yes|--assume-yes|-qq) yes=1 ;;",
        "    -*) ;;",
        "    *) if [ -z \"$cmd\" ]; then cmd=\"$1\"; else packages+=(\"$1\"); fi ;;",
        "  esac",
        "  case \"${opt,,}\" in dpkg::lock::timeout=*) timeout=\"${opt#*=}\" ;; esac",
        "  shift",
        "done",
        "held() { [ \"$(now_ms)\" -lt \"$locked_until_ms\" ]; }",
        "case \"$cmd\" in",
        "  update)",
        "    if held; then",
        "      echo \"E: Could not get lock /var/lib/apt/lists/lock. It is held by process 1523"
            + " (apt-get)\" >&2",
        "      echo \"E: Unable to lock directory /var/lib/apt/lists/\" >&2",
        "      exit 100",
        "    fi",
        "    echo \"Reading package lists...\"",
        "    touch \"" + lists + "\"",
        "    exit 0 ;;",
        "  install)",
        "    if held; then",
        "      lock=\"Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1523"
            + " (apt-get)\"",
        "      if [ \"$timeout\" -gt 0 ]; then",
        "        echo \"Waiting for cache lock: $lock...\"",
        "        deadline=$(( $(now_ms) + timeout * 1000 ))",
        "        while held && [ \"$(now_ms)\" -lt \"$deadline\" ]; do sleep 0.2; done",
        "      fi",
        "      if held; then",
        "        echo \"E: $lock\" >&2",
        "        echo \"E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend),"
            + " is another process using it?\" >&2",
        "        exit 100",
        "      fi",
        "    fi",
        "    for p in \"${packages[@]}\"; do",
        "      if [ ! -e \"" + lists + "\" ]; then",
        "        echo \"E: Unable to locate package $p\" >&2; exit 100",
        "      fi",
        "      case \"$p\" in",
        "        openjdk-*-jre-headless|openjdk-*-jre|openjdk-*-jdk-headless|openjdk-*-jdk"
            + "|default-jre-headless|default-jre|default-jdk) ;;",
        "        *) echo \"E: Unable to locate package $p\" >&2; exit 100 ;;",
        "      esac",
        "    done",
        "    if [ \"$yes\" != 1 ]; then",
        "      echo \"Do you want to continue? [Y/n] Abort.\"; exit 1",
        "    fi",
        "    ln -sfn \"" + java + "\" \"" + bin.resolve("java") + "\"",
        "    echo \"Setting up ${packages[*]} ...\"",
        "    exit 0 ;;",
        "  *)",
        "    echo \"E: the batch double's apt-get knows update and install only, not $cmd\" >&2",
        "    exit 100 ;;",
        "esac",
        "");
  }
}
