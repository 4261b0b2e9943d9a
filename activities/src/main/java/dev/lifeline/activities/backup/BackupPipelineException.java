package dev.lifeline.activities.backup;

/**
 * A backup upload failed. {@link #stage()} names where: reading the source (the export download),
 * compressing, encrypting, uploading, or checking what was uploaded. The multipart upload has been
 * aborted, so no partial object is left under the key. The cause is the first failure; failures
 * it triggered in the other stages are not reported.
 */
public class BackupPipelineException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The pipeline stages, in data order. */
  public enum Stage {
    /** Reading and hashing the plaintext source. */
    READ_SOURCE,
    /** zstd compression. */
    COMPRESS,
    /** Streaming AEAD encryption and hashing of the stored bytes. */
    ENCRYPT,
    /** The object store upload. */
    UPLOAD,
    /** Cross-checking the upload's own size and hash with the pipeline's. */
    VERIFY_UPLOAD
  }

  private final Stage stage;

  public BackupPipelineException(Stage stage, String key, Throwable cause) {
    super("backup of " + key + " failed while " + describe(stage) + ": " + cause, cause);
    this.stage = stage;
  }

  public BackupPipelineException(Stage stage, String message) {
    super(message);
    this.stage = stage;
  }

  /** Where the pipeline failed. */
  public Stage stage() {
    return stage;
  }

  /**
   * Whether a retry may succeed: source reads and uploads fail transiently (connections, 5xx),
   * compression and encryption do not.
   */
  public boolean retryable() {
    if (getCause() instanceof dev.lifeline.activities.s3.ObjectStoreException ose) {
      return ose.retryable();
    }
    return stage == Stage.READ_SOURCE || stage == Stage.UPLOAD;
  }

  private static String describe(Stage stage) {
    return switch (stage) {
      case READ_SOURCE -> "reading the source";
      case COMPRESS -> "compressing";
      case ENCRYPT -> "encrypting";
      case UPLOAD -> "uploading";
      case VERIFY_UPLOAD -> "checking the upload";
    };
  }
}
