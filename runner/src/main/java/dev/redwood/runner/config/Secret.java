package dev.redwood.runner.config;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A credential value (account key, client secret, connection string). Its {@link #toString()}
 * never shows the value, so a secret cannot reach a log line or an exception message by
 * accident; code that must hand it to an SDK calls {@link #reveal()}.
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
   * The way an entry of a credentials file signs in: its {@code "auth"}, one of {@code kinds}, if
   * given; else the kind whose credential it gives; else the last kind. {@code given} maps each
   * kind whose credential the entry gives to the key that holds it.
   */
  static String signIn(String auth, List<String> kinds, Map<String, String> given) {
    List<String> keys = kinds.stream().map(given::get).filter(Objects::nonNull).toList();
    if (keys.size() > 1) {
      throw new Problem(keys.get(0), "cannot be combined with {" + keys.get(1) + "}: give one way to sign in");
    }
    String kind = Problem.oneOf("auth", auth, kinds);
    kind = kind != null ? kind : keys.isEmpty() ? kinds.get(kinds.size() - 1) : given.keySet().iterator().next();
    for (Map.Entry<String, String> e : given.entrySet()) {
      if (!e.getKey().equals(kind)) {
        throw new Problem(e.getValue(), "is given but \"auth\" is \"" + kind + "\"; remove one of them");
      }
    }
    return kind;
  }

  /** The secret under {@code key}, which {@code "auth"} {@code kind} needs. */
  static Secret of(String key, String value, String kind) {
    if (value == null) {
      throw new Problem(key, "is missing (\"auth\" is \"" + kind + "\")");
    } else if (value.isBlank()) {
      throw new Problem(key, "is empty");
    }
    return new Secret(value);
  }

  /** The account key under {@code key}: base64 text, as the portal shows it. */
  static Secret key(String key, String value, String kind, String what) {
    Secret secret = of(key, value, kind);
    try {
      if (Base64.getDecoder().decode(value.trim()).length > 0) {
        return secret;
      }
    } catch (IllegalArgumentException e) {
      // not base64: the problem below
    }
    throw new Problem(key, "is not " + what
        + " (expected base64 text, as the portal shows it; the value is not shown)");
  }
}
