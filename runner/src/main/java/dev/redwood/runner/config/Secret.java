package dev.redwood.runner.config;

import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A credential value (account key, client secret, connection string). Its {@link #toString()} never
 * shows the value, so a secret cannot reach a log line or an exception message by accident; code
 * that must hand it to an SDK calls {@link #reveal()}. (Not a record: Jackson would serialize a
 * record's value.)
 */
public final class Secret {
  private final String value;

  public Secret(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "****";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  /**
   * The way an entry of a credentials file signs in: its {@code auth}, else the kind whose
   * credential it gives ({@code keys[i]}: the key given for {@code kinds[i]}, or null), else the
   * last kind.
   */
  static String signIn(String auth, List<String> kinds, String... keys) {
    int[] given = IntStream.range(0, keys.length).filter(i -> keys[i] != null).toArray();
    if (given.length > 1) {
      String other = "cannot be combined with {" + keys[given[1]] + "}: give one way to sign in";
      throw new Problem(keys[given[0]], other);
    } else if (auth != null && !kinds.contains(auth)) {
      String known = "must be one of \"" + String.join("\", \"", kinds) + "\"";
      throw Problem.got("auth", known + DidYouMean.hint(auth, kinds), auth);
    }
    String kind = auth != null ? auth : kinds.get(given.length > 0 ? given[0] : kinds.size() - 1);
    if (given.length > 0 && !kinds.get(given[0]).equals(kind)) {
      String both = "is given but \"auth\" is \"" + kind + "\"; remove one of them";
      throw new Problem(keys[given[0]], both);
    }
    return kind;
  }

  /** The secret under {@code key}, which the sign-in {@code kind} needs. */
  static Secret of(String key, String value, String kind) {
    return new Secret(Problem.given(key, value, " (\"auth\" is \"" + kind + "\")"));
  }

  /** The account key under {@code key}: base64 text, as the portal shows it. */
  static Secret key(String key, String value, String kind, String what) {
    Secret secret = of(key, value, kind);
    try {
      Base64.getDecoder().decode(value.trim());
      return secret;
    } catch (IllegalArgumentException e) {
      String expected = " (expected base64 text, as the portal shows it; the value is not shown)";
      throw new Problem(key, "is not " + what + expected);
    }
  }
}
