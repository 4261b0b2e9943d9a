package dev.lifeline.activities.cloudflare;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A KV value read on its own: the exact bytes (binary-safe) and its expiry.
 *
 * @param bytes the value (at most 25 MiB); the array is not copied, do not modify it
 * @param expiration absolute expiry in epoch seconds from the {@code expiration} header, or null
 */
public record KvValue(byte[] bytes, Long expiration) {

  /** The value decoded as UTF-8. */
  public String asString() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KvValue v
        && Arrays.equals(bytes, v.bytes)
        && java.util.Objects.equals(expiration, v.expiration);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(bytes) + java.util.Objects.hashCode(expiration);
  }

  @Override
  public String toString() {
    return "KvValue[" + bytes.length + " bytes, expiration=" + expiration + "]";
  }
}
