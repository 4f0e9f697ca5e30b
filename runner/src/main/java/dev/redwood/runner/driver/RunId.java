package dev.redwood.runner.driver;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

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

  /** What follows the name in an id: the start time and a random part. */
  private static final Pattern STARTED = Pattern.compile("\\d{8}-\\d{6}-[0-9a-f]{6}");

  /** The start of the ids of the runs named {@code jobName}. */
  static String namePrefix(String prefix, String jobName) {
    String id = of(prefix, jobName);
    return id.substring(0, id.length() - "yyyyMMdd-HHmmss-xxxxxx".length());
  }

  /** Whether {@code id} is the id of a run whose ids start with {@code namePrefix}. */
  static boolean isRunOf(String id, String namePrefix) {
    return id.startsWith(namePrefix)
        && STARTED.matcher(id.substring(namePrefix.length())).matches();
  }

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
