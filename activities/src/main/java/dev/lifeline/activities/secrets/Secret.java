package dev.lifeline.activities.secrets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A credential (API token, access key secret) that must never be printed.
 *
 * <p>{@link #toString()} is masked, so a {@code Secret} can sit in options objects, records and log
 * arguments without leaking. The value is only handed out by {@link #reveal()}, which the HTTP layer
 * calls when it builds a header or signs a request; nothing else should. {@link #fingerprint()} gives
 * a one-way digest for use as a map key (for example to share a request budget between clients of
 * the same token) without holding the token itself in that map.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /**
   * Wraps a credential.
   *
   * @throws IllegalArgumentException if the value is null or blank (the message never echoes it)
   */
  public static Secret of(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("secret must not be blank");
    }
    return new Secret(value.strip());
  }

  /** The raw value, for building an authentication header. Never log or store the result. */
  public String reveal() {
    return value;
  }

  /** Hex SHA-256 of the value: stable, one-way, safe as an in-memory key. */
  public String fingerprint() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  /** Constant-time comparison of the wrapped values. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Secret other
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), other.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return Objects.hash(fingerprint());
  }

  @Override
  public String toString() {
    return "Secret[****]";
  }
}
