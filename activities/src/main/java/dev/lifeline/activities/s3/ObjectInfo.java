package dev.lifeline.activities.s3;

import java.time.Instant;
import java.util.Map;

/**
 * An object's head: what the store knows about it without its bytes.
 *
 * @param key the object key
 * @param size bytes
 * @param etag the store's ETag, without quotes
 * @param contentType content type, or null
 * @param userMetadata user metadata (keys lowercase, without {@code x-amz-meta-})
 * @param lastModified last modification time, or null
 */
public record ObjectInfo(
    String key,
    long size,
    String etag,
    String contentType,
    Map<String, String> userMetadata,
    Instant lastModified) {
  public ObjectInfo {
    userMetadata = userMetadata == null ? Map.of() : Map.copyOf(userMetadata);
  }
}
