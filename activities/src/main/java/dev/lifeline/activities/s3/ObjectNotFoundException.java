package dev.lifeline.activities.s3;

/** The key (or bucket) does not exist. Not retryable. */
public class ObjectNotFoundException extends ObjectStoreException {
  private static final long serialVersionUID = 1L;

  public ObjectNotFoundException(String bucket, String key, Throwable cause) {
    super("No such object", bucket, key, 404, false, cause);
  }
}
