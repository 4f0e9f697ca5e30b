package dev.redwood.runner.options;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value of {@code --taskLogRetention}: how long task logs stay in blob storage after a run. A
 * number with a unit ({@code 7d}, {@code 48h}, {@code 30m}, {@code 90s}), an ISO-8601 duration
 * ({@code P3D}, {@code PT12H}), or {@code 0}: the run keeps no logs.
 */
public final class TaskLogRetention {
  private static final Pattern SHORT = Pattern.compile("(\\d{1,9})([dhms])");

  private TaskLogRetention() {}

  /** The retention of {@code options}. */
  public static Duration of(AzureBatchPipelineOptions options) {
    return parse(options.getTaskLogRetention());
  }

  /**
   * Parses a retention.
   *
   * @throws IllegalArgumentException naming the option and the forms it takes
   */
  public static Duration parse(String value) {
    String v = value == null ? "" : value.trim();
    if (v.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = SHORT.matcher(v.toLowerCase(Locale.ROOT));
    Duration d = null;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
          };
    } else if (v.toUpperCase(Locale.ROOT).startsWith("P")) {
      try {
        d = Duration.parse(v.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        d = null;
      }
    }
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(
          "Invalid --taskLogRetention="
              + value
              + ": use a number with a unit (7d, 48h, 30m, 90s), an ISO-8601 duration (P3D,"
              + " PT12H), or 0 to keep no task logs");
    }
    return d;
  }
}
