package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;

/**
 * One pair for a KV bulk write, serialized exactly as the API expects.
 *
 * @param key the key (at most 512 bytes)
 * @param value UTF-8 text, or base64 when {@code base64} is true
 * @param base64 true when {@code value} is base64 of binary data (the server decodes it)
 * @param expiration absolute expiry in epoch seconds, or null
 * @param expirationTtl seconds from now (at least 60), or null
 * @param metadata JSON metadata (at most 1,024 bytes), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KvBulkEntry(
    String key,
    String value,
    Boolean base64,
    Long expiration,
    @JsonProperty("expiration_ttl") Long expirationTtl,
    JsonNode metadata) {

  public KvBulkEntry {
    KvApi.checkKey(key);
    if (value == null) {
      throw new IllegalArgumentException("value is required for key " + key);
    }
    if (Boolean.FALSE.equals(base64)) {
      base64 = null;
    }
    if (expirationTtl != null && expirationTtl < 60) {
      throw new IllegalArgumentException("expirationTtl must be at least 60 seconds");
    }
  }

  /** A text value without expiry or metadata. */
  public static KvBulkEntry text(String key, String value) {
    return new KvBulkEntry(key, value, null, null, null, null);
  }

  /** A binary value, sent base64-encoded. */
  public static KvBulkEntry binary(String key, byte[] value, Long expiration, JsonNode metadata) {
    return new KvBulkEntry(
        key, Base64.getEncoder().encodeToString(value), true, expiration, null, metadata);
  }
}
