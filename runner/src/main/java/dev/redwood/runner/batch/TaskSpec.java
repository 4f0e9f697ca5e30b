package dev.redwood.runner.batch;

import java.util.List;
import java.util.Map;

/**
 * One Batch task: a main class from the job's classpath, run with arguments and environment.
 *
 * @param taskId unique within the job; letters, digits, '-' and '_'
 * @param displayName what people read in progress lines and errors (stage and task)
 * @param mainClass a class with {@code public static void main(String[])} that also implements
 *     {@link BatchTaskMain}; a local node calls {@link BatchTaskMain#run} in a reused JVM, a remote
 *     node runs {@code java mainClass arguments...}
 * @param arguments never contain a secret
 * @param environment added to the job's environment and the Batch variables
 */
public record TaskSpec(
    String taskId,
    String displayName,
    String mainClass,
    List<String> arguments,
    Map<String, String> environment) {
  public TaskSpec {
    arguments = List.copyOf(arguments);
    environment = Map.copyOf(environment);
  }
}
