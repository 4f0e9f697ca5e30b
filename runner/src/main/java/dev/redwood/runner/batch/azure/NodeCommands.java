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

  /**
   * The pool's start task: installs a Java runtime unless the image has one. Idempotent, so a
   * reused pool or a rebooted node runs it again harmlessly.
   */
  static String installJava() {
    return "/bin/bash -c 'command -v java >/dev/null 2>&1 || { apt-get update -qq"
        + " && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; }'";
  }

  /**
   * The job preparation task: its resource files put the staged jars under {@code lib/} (named so
   * that sorting restores classpath order); it writes the classpath for the job's tasks.
   */
  static String prepareClasspath() {
    return "/bin/bash -c 'cd \"$AZ_BATCH_JOB_PREP_WORKING_DIR\" && ls lib/*.jar | sort"
        + " | sed \"s|^|$PWD/|\" | paste -sd: - > "
        + CLASSPATH_FILE
        + "'";
  }

  /** The file name a staged jar gets on the node: its position first, so sorting keeps order. */
  static String jarPath(int index, String blobKey) {
    String name = blobKey.substring(blobKey.lastIndexOf('/') + 1);
    return String.format("lib/%04d-%s", index, name);
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
