package dev.redwood.runner.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * Suggests the known name closest to a misspelt or shortened one ({@code _NUM_RETRYS} for {@code
 * _NUM_RETRIES}, {@code vmSize} for {@code vmsize}, {@code _AD_SECRET_BATCH} for {@code
 * _AD_SECRET}), for "did you mean" hints in errors.
 */
final class DidYouMean {
  private DidYouMean() {}

  /** The candidate nearest to {@code name}, if one is near enough to be a likely typo. */
  static Optional<String> closest(String name, Collection<String> candidates) {
    String wanted = normalize(name);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int distance = distance(wanted, normalize(candidate));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    if (bestDistance <= Math.max(1, Math.min(3, wanted.length() / 4))) {
      return Optional.of(best);
    }
    // A shortened name: _AD_SECRET for _AD_SECRET_BATCH.
    return candidates.stream()
        .filter(c -> wanted.length() >= 5 && normalize(c).startsWith(wanted))
        .findFirst();
  }

  /** " (did you mean X?)" or the empty string. */
  static String hint(String name, Collection<String> candidates) {
    return closest(name, candidates).map(c -> " (did you mean \"" + c + "\"?)").orElse("");
  }

  private static String normalize(String s) {
    return s.toLowerCase(Locale.ROOT).replace("-", "_");
  }

  /** Edit distance with insertions, deletions, substitutions and swaps of neighbours. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      for (int j = 0; j <= b.length(); j++) {
        if (i == 0 || j == 0) {
          d[i][j] = i + j;
          continue;
        }
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        boolean swap = i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2);
        if (swap && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
