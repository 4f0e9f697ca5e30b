package dev.redwood.runner.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One pipeline run as a Batch job.
 *
 * @param jobId unique per run; letters, digits, '-' and '_'
 * @param jobName what the user calls the pipeline (Beam's {@code --jobName}), for display names
 * @param classpathBlobKeys staged jars (blob store keys, content-hash names) that make up the task
 *     classpath, in order
 * @param environment environment variables every task of the job gets
 * @param deadline when the run gives up ({@code --maxRunDuration}); Batch ends the job soon after,
 *     should the driver be gone, and every grant of the run stays valid for {@link
 *     #grantValidity()}
 * @param session which driver session of the run this is: 0, then one more per resume
 */
public record JobSpec(
    String jobId,
    String jobName,
    List<String> classpathBlobKeys,
    Map<String, String> environment,
    Instant deadline,
    int session) {
  /** Grants outlive the deadline by this much: the last tasks may still be writing output. */
  public static final Duration GRANT_MARGIN = Duration.ofHours(1);

  public JobSpec {
    classpathBlobKeys = List.copyOf(classpathBlobKeys);
    environment = Map.copyOf(environment);
  }

  /** A run's first session. */
  public JobSpec(
      String jobId,
      String jobName,
      List<String> classpathBlobKeys,
      Map<String, String> environment,
      Instant deadline) {
    this(jobId, jobName, classpathBlobKeys, environment, deadline, 0);
  }

  /** A run named after its id that may take two days (tests, local runs). */
  public JobSpec(String jobId, List<String> classpathBlobKeys, Map<String, String> environment) {
    this(jobId, jobId, classpathBlobKeys, environment, Instant.now().plus(Duration.ofDays(2)));
  }

  /**
   * The id of the session's Batch jobs: a resumed run gets new ones, since the jobs of the session
   * it resumes may still be there (or being deleted) under the old id.
   */
  public String batchJobId() {
    return session == 0 ? jobId : jobId + "-r" + session;
  }

  /** How long from now grants must stay valid: until the deadline, plus a margin. */
  public Duration grantValidity() {
    Duration left = Duration.between(Instant.now(), deadline.plus(GRANT_MARGIN));
    return left.isNegative() ? GRANT_MARGIN : left;
  }
}
