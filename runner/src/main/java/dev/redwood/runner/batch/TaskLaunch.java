package dev.redwood.runner.batch;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a local node needs to run one task: what the driver sends to the node.
 *
 * @param taskDir the Batch task directory ({@code .../workitems/<job>/job-1/<task>}); the task runs
 *     in its {@code wd/} and writes {@code stdout.txt}/{@code stderr.txt} there
 * @param environment the task's whole environment: job, task and Batch variables
 */
record TaskLaunch(
    String jobId,
    String taskId,
    String mainClass,
    List<String> arguments,
    Map<String, String> environment,
    Path taskDir) {
  TaskLaunch {
    arguments = List.copyOf(arguments);
    environment = Map.copyOf(environment);
  }

  Path workingDir() {
    return taskDir.resolve("wd");
  }

  Path stdoutFile() {
    return taskDir.resolve("stdout.txt");
  }

  Path stderrFile() {
    return taskDir.resolve("stderr.txt");
  }
}
