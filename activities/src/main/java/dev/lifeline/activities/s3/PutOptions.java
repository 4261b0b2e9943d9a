package dev.lifeline.activities.s3;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Content type and user metadata for an upload. User metadata is limited to 8,192 bytes (R2's limit,
 * counted as the UTF-8 length of names plus values); names are stored lowercase.
 *
 * @param contentType MIME type, or null for {@code application/octet-stream}
 * @param userMetadata user metadata, possibly empty
 */
public record PutOptions(String contentType, Map<String, String> userMetadata) {
  /** R2's user metadata limit in bytes. */
  public static final int MAX_METADATA_BYTES = 8192;

  /** Binary content, no metadata. */
  public static final PutOptions DEFAULT = new PutOptions(null, Map.of());

  public PutOptions {
    userMetadata = userMetadata == null ? Map.of() : Map.copyOf(userMetadata);
    int bytes = 0;
    for (Map.Entry<String, String> e : userMetadata.entrySet()) {
      if (e.getKey().isBlank()) {
        throw new IllegalArgumentException("user metadata names must not be blank");
      }
      bytes += e.getKey().getBytes(StandardCharsets.UTF_8).length;
      bytes += e.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    if (bytes > MAX_METADATA_BYTES) {
      throw new IllegalArgumentException(
          "user metadata is " + bytes + " bytes; the limit is " + MAX_METADATA_BYTES);
    }
  }

  /** Only user metadata. */
  public static PutOptions withMetadata(Map<String, String> userMetadata) {
    return new PutOptions(null, userMetadata);
  }
}
