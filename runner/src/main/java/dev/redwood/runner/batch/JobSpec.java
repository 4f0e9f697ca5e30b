package dev.redwood.runner.batch;

import java.util.List;
import java.util.Map;

/**
 * One pipeline run as a Batch job.
 *
 * @param jobId unique per run; letters, digits, '-' and '_'
 * @param classpathBlobKeys staged jars (blob store keys, content-hash names) that make up the task
 *     classpath, in order
 * @param environment environment variables every task of the job gets
 */
public record JobSpec(
    String jobId, List<String> classpathBlobKeys, Map<String, String> environment) {
  public JobSpec {
    classpathBlobKeys = List.copyOf(classpathBlobKeys);
    environment = Map.copyOf(environment);
  }
}
