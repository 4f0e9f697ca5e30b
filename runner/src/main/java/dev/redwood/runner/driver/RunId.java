package dev.redwood.runner.driver;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.UUID;

/**
 * The id of one pipeline run: {@code <prefix>[-<jobName>]-<yyyyMMdd-HHmmss>-<random>}. It names the
 * run's Batch jobs, its objects in the blob store and its log prefix, so Batch Explorer and the
 * portal show which pipeline a job belongs to. The prefix is AzureClusterlessHPC's {@code _JOB_ID}
 * ("redwood" unless set); the job name is Beam's {@code --jobName} when the user gave one.
 */
final class RunId {
  /** Room left for the pool id in a 64-character Batch job id. */
  static final int MAX_PART = 24;

  private RunId() {}

  static String of(String prefix, String jobName) {
    StringBuilder id = new StringBuilder(part(prefix == null ? "redwood" : prefix));
    if (jobName != null && !part(jobName).isEmpty()) {
      id.append('-').append(part(jobName));
    }
    return id.append('-')
        .append(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
        .append('-')
        .append(UUID.randomUUID().toString(), 0, 6)
        .toString();
  }

  /** Lower case, Batch id characters only (containers allow no '_'), at most {@link #MAX_PART}. */
  private static String part(String s) {
    String p =
        s.toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9-]+", "-")
            .replaceAll("-{2,}", "-")
            .replaceAll("^-|-$", "");
    p = p.length() <= MAX_PART ? p : p.substring(0, MAX_PART);
    return p.replaceAll("-$", "");
  }
}
