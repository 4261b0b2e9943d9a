package dev.lifeline.worker.config;

import dev.lifeline.worker.logging.SecretMasker;
import java.util.Objects;

/**
 * A secret setting (API token, encryption key, password). Its {@link #toString()} never shows the
 * value, and creating one registers the value with the {@link SecretMasker} so that it is masked
 * wherever it would otherwise reach a log line.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = Objects.requireNonNull(value, "value");
    SecretMasker.register(value);
  }

  /** Wraps {@code value}, or returns null for null. */
  public static Secret of(String value) {
    return value == null ? null : new Secret(value);
  }

  /** The secret itself; hand it only to the client that needs it. */
  public String reveal() {
    return value;
  }

  /** A masked form that shows only the length. */
  @Override
  public String toString() {
    return "****(" + value.length() + " chars)";
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
