package dev.lifeline.activities.s3;

/**
 * An object store operation failed. {@link #retryable()} is true for transient causes (5xx,
 * throttling, timeouts, dropped connections) and false for permanent ones (access denied, wrong
 * endpoint or bucket, invalid request), whose message says what to check.
 */
public class ObjectStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String bucket;
  private final String key;
  private final int statusCode;
  private final boolean retryable;

  public ObjectStoreException(
      String message, String bucket, String key, int statusCode, boolean retryable, Throwable cause) {
    super(message + " (bucket " + bucket + (key == null ? "" : ", key " + key)
        + (statusCode > 0 ? ", HTTP " + statusCode : "") + ")", cause);
    this.bucket = bucket;
    this.key = key;
    this.statusCode = statusCode;
    this.retryable = retryable;
  }

  public String bucket() {
    return bucket;
  }

  /** The key involved, or null for bucket-level failures. */
  public String key() {
    return key;
  }

  /** HTTP status from the store, or 0 when no answer arrived. */
  public int statusCode() {
    return statusCode;
  }

  /** Whether repeating the operation later may succeed. */
  public boolean retryable() {
    return retryable;
  }
}
