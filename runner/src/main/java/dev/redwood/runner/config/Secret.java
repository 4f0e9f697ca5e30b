package dev.redwood.runner.config;

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
}
