package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Expiry and metadata for a single KV write. A write replaces value, expiry and metadata together.
 *
 * @param expiration absolute expiry in epoch seconds, or null
 * @param expirationTtl seconds from now (at least 60), or null; wins over {@code expiration}
 * @param metadata JSON metadata of at most 1,024 bytes serialized, or null
 */
public record KvWriteOptions(Long expiration, Long expirationTtl, JsonNode metadata) {
  /** No expiry, no metadata. */
  public static final KvWriteOptions NONE = new KvWriteOptions(null, null, null);

  public KvWriteOptions {
    if (expirationTtl != null && expirationTtl < 60) {
      throw new IllegalArgumentException("expirationTtl must be at least 60 seconds");
    }
    if (metadata != null && metadata.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1024) {
      throw new IllegalArgumentException("KV metadata is limited to 1024 bytes serialized");
    }
  }

  /** Only metadata. */
  public static KvWriteOptions withMetadata(JsonNode metadata) {
    return new KvWriteOptions(null, null, metadata);
  }
}
