package dev.lifeline.activities.crypto;

/**
 * The configured {@code BACKUP_ENCRYPTION_KEY} cannot open a backup's data key, or is itself
 * unusable. The message says which key id the backup needs and which one is configured (key ids
 * are public fingerprints), or that the wrapped key is corrupt; it never contains key material.
 * Never retryable: an operator has to configure the right key.
 */
public class BackupKeyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the key could not be used. */
  public enum Reason {
    /** {@code BACKUP_ENCRYPTION_KEY} is missing or not 64 hex characters. */
    INVALID_MASTER_KEY,
    /** The backup's data key was wrapped under a different master key than the configured one. */
    WRONG_MASTER_KEY,
    /** The key ids match but the wrapped key does not decrypt: it was altered, or it is being
     * opened with associated data (backup id) other than the one it was bound to. */
    CORRUPT_WRAPPED_KEY,
    /** The wrapped key uses a scheme this version does not know. */
    UNSUPPORTED_SCHEME
  }

  private final Reason reason;
  private final String requiredKeyId;
  private final String configuredKeyId;

  public BackupKeyException(
      Reason reason, String message, String requiredKeyId, String configuredKeyId) {
    super(message);
    this.reason = reason;
    this.requiredKeyId = requiredKeyId;
    this.configuredKeyId = configuredKeyId;
  }

  public Reason reason() {
    return reason;
  }

  /** The key id the backup was wrapped under, or null when unknown. */
  public String requiredKeyId() {
    return requiredKeyId;
  }

  /** The key id of the configured master key, or null when there is none. */
  public String configuredKeyId() {
    return configuredKeyId;
  }
}
