package dev.redwood.runner.batch.azure;

import com.microsoft.azure.batch.protocol.models.AutoUserScope;
import com.microsoft.azure.batch.protocol.models.AutoUserSpecification;
import com.microsoft.azure.batch.protocol.models.ElevationLevel;
import com.microsoft.azure.batch.protocol.models.UserIdentity;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The command lines Redwood runs on Batch nodes. Batch does not run a command line under a shell,
 * so each one is {@code /bin/bash -c '...'} with a script free of single quotes; task arguments are
 * restricted to characters that need no quoting beyond double quotes.
 */
final class NodeCommands {
  /** Where the job preparation task leaves the classpath, relative to its working directory. */
  static final String CLASSPATH_FILE = "classpath.txt";

  private static final Pattern SAFE_ARGUMENT = Pattern.compile("[A-Za-z0-9_.:/#@=+,%-]*");

  private NodeCommands() {}

  /** How often the start task tries apt-get, and how long it pauses between tries. */
  static final int APT_ATTEMPTS = 30;

  static final int APT_PAUSE_SECONDS = 10;

  /** How long one apt-get install waits for the dpkg lock before it fails. */
  static final int DPKG_LOCK_TIMEOUT_SECONDS = 300;

  /** The start task's variable holding the pool's {@code startTaskCommand}. */
  static final String USER_SETUP_VARIABLE = "REDWOOD_POOL_SETUP";

  /**
   * The pool's start task: {@link #installJava}, then, with {@code userSetup}, the pool's {@code
   * startTaskCommand} from {@link #USER_SETUP_VARIABLE}, run by bash so that it may be any shell
   * command.
   */
  static String startTask(boolean userSetup) {
    if (!userSetup) {
      return installJava();
    }
    return "/bin/bash -c '("
        + javaInstallScript()
        + ") && exec /bin/bash -c \"$"
        + USER_SETUP_VARIABLE
        + "\"'";
  }

  /**
   * The pool's start task: installs a Java runtime unless the image has one. Idempotent, so a
   * reused pool or a rebooted node runs it again harmlessly. A fresh image's own first-boot apt run
   * may hold the dpkg lock: install waits for it, and {@code apt-get update} (which cannot wait for
   * its lock) is retried after a pause, saying so, a bounded number of times. An image without
   * apt-get fails at once.
   */
  static String installJava() {
    return "/bin/bash -c '" + javaInstallScript() + "'";
  }

  private static String javaInstallScript() {
    String apt = "apt-get -o DPkg::Lock::Timeout=" + DPKG_LOCK_TIMEOUT_SECONDS;
    return "command -v java >/dev/null 2>&1 && exit 0;"
        + " command -v apt-get >/dev/null 2>&1 || { echo \"redwood: the image has neither java nor"
        + " apt-get to install it; use a Debian or Ubuntu image or a container image\" >&2;"
        + " exit 1; };"
        + " for attempt in {1.."
        + APT_ATTEMPTS
        + "}; do "
        + apt
        + " update -qq && DEBIAN_FRONTEND=noninteractive "
        + apt
        + " install -y -qq openjdk-17-jre-headless && command -v java && exit 0;"
        + " echo \"redwood: installing Java with apt-get failed (attempt $attempt of "
        + APT_ATTEMPTS
        + "; at first boot the image may still hold the apt lock); retrying in "
        + APT_PAUSE_SECONDS
        + " s\";"
        + " sleep "
        + APT_PAUSE_SECONDS
        + "; done;"
        + " echo \"redwood: could not install Java with apt-get in "
        + APT_ATTEMPTS
        + " attempts\" >&2; exit 1";
  }

  /**
   * The job preparation task: runs the {@link ClasspathFetcher} its resource files bring on the
   * classpath manifest, which fills the node's jar cache and writes the classpath for the job's
   * tasks. No URL is on this command line: they are in the manifest.
   */
  static String prepareClasspath() {
    return "/bin/bash -c 'cd \"$AZ_BATCH_JOB_PREP_WORKING_DIR\" && exec java -cp "
        + ClasspathManifest.FETCHER_DIR
        + " "
        + ClasspathFetcher.class.getName()
        + " "
        + ClasspathManifest.MANIFEST_FILE
        + " \""
        + ClasspathManifest.NODE_CACHE
        + "\" "
        + CLASSPATH_FILE
        + "'";
  }

  /**
   * A task: {@code java} with the job's classpath, running {@code mainClass} with {@code
   * arguments}. Heap: a share of the node's memory per task slot.
   */
  static String runJava(
      List<String> jvmFlags, int taskSlotsPerNode, String mainClass, List<String> arguments) {
    StringBuilder script = new StringBuilder("exec java");
    for (String flag : jvmFlags) {
      script.append(' ').append(quoted(flag, "JVM flag"));
    }
    int heapPercent = Math.max(5, 75 / Math.max(1, taskSlotsPerNode));
    script.append(" -XX:MaxRAMPercentage=").append(heapPercent);
    script
        .append(" -cp \"$(cat \"$AZ_BATCH_JOB_PREP_WORKING_DIR/")
        .append(CLASSPATH_FILE)
        .append("\")\" ")
        .append(quoted(mainClass, "main class"));
    for (String argument : arguments) {
      script.append(' ').append(quoted(argument, "task argument"));
    }
    return "/bin/bash -c '" + script + "'";
  }

  /** Runs as the pool's administrator: the start task installs packages. */
  static UserIdentity poolAdmin() {
    return new UserIdentity()
        .withAutoUser(
            new AutoUserSpecification()
                .withScope(AutoUserScope.POOL)
                .withElevationLevel(ElevationLevel.ADMIN));
  }

  private static String quoted(String value, String what) {
    if (!SAFE_ARGUMENT.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "Cannot pass "
              + what
              + " '"
              + value
              + "' to a Batch node: only letters, digits and"
              + " _.:/#@=+,%- are allowed");
    }
    return "\"" + value + "\"";
  }
}
