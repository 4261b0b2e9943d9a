package dev.lifeline.activities.crypto;

/**
 * A stored backup is not what its manifest says: its size or SHA-256 differs, it fails
 * authenticated decryption (altered, truncated, or encrypted under another data key or associated
 * data), or the plaintext recovered from it does not match the recorded plaintext hash.
 *
 * <p>Never retryable: the same bytes will fail the same way. The message names what was expected
 * and what was found, and never contains key material or plaintext. A playbook that sees this stops
 * before a single byte is written to a restore target.
 */
public class BackupIntegrityException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What failed, for callers that branch on it (reports, metrics) rather than parse messages. */
  public enum Reason {
    /** The stored object's byte count differs from the manifest. */
    STORED_SIZE_MISMATCH,
    /** The stored object's SHA-256 differs from the manifest. */
    STORED_SHA256_MISMATCH,
    /** Authenticated decryption failed: altered or truncated ciphertext, wrong key or wrong AAD. */
    DECRYPTION_FAILED,
    /** The ciphertext decrypted but is not a valid zstd stream (should be impossible unless the
     * writer was faulty, since the ciphertext is authenticated). */
    DECOMPRESSION_FAILED,
    /** The recovered plaintext's byte count differs from the manifest. */
    PLAINTEXT_SIZE_MISMATCH,
    /** The recovered plaintext's SHA-256 differs from the manifest. */
    PLAINTEXT_SHA256_MISMATCH,
    /** A manifest's MAC does not verify. */
    MAC_MISMATCH
  }

  /** The message of every decryption failure, whatever Tink reported underneath. */
  public static final String DECRYPTION_FAILED_MESSAGE =
      "decryption failed: the stored object was altered or was not encrypted with this key";

  private final Reason reason;

  public BackupIntegrityException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public BackupIntegrityException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** Which check failed. */
  public Reason reason() {
    return reason;
  }
}
