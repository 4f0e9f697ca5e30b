package dev.redwood.runner.options;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the duration-valued options ({@code --maxRunDuration=48h}): a number with a unit ({@code
 * s}, {@code m}, {@code h}, {@code d}) as users type it, or an ISO-8601 duration ({@code P3D},
 * {@code PT25S}) as Batch and Java print it; a bare {@code 0} is zero.
 */
public final class DurationOptions {
  private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*([smhd])");

  private DurationOptions() {}

  /**
   * @throws IllegalArgumentException naming {@code option} when {@code value} is not a duration or
   *     is negative
   */
  public static Duration parse(String option, String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    Duration d = null;
    Matcher m = SHORT.matcher(v);
    if (v.equals("0")) {
      d = Duration.ZERO;
    } else if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
    } else if (v.startsWith("p")) {
      try {
        d = Duration.parse(v.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        d = null;
      }
    }
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(
          "--"
              + option
              + "="
              + value
              + " is not a duration: give a number with a unit (90m, 48h, 7d) or an ISO-8601"
              + " duration (PT90M, P2D)");
    }
    return d;
  }
}
