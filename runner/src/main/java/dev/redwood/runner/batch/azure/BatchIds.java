package dev.redwood.runner.batch.azure;

/**
 * Batch ids Redwood makes up. Batch allows letters, digits, hyphens and underscores, up to 64
 * characters; a pipeline run has one Batch job per pool, so the pool id is part of the job id.
 */
final class BatchIds {
  private static final int MAX = 64;

  private BatchIds() {}

  static String job(String jobId, String poolId) {
    String id = (jobId + "-" + poolId).replaceAll("[^A-Za-z0-9_-]", "-");
    // The run's id is unique (time and a random suffix): keep it whole, shorten the pool part.
    return id.length() <= MAX ? id : id.substring(0, MAX);
  }

  /** Batch display names may be at most 1,024 characters. */
  static String displayName(String name) {
    return name.length() <= 1024 ? name : name.substring(0, 1024);
  }
}
