package dev.lifeline.activities.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What {@link BackupWriter} stored: the integrity facts a manifest records and a reader checks.
 *
 * @param key object key in the backup bucket
 * @param plaintextSha256 lowercase hex SHA-256 of the plaintext (the dump as exported)
 * @param plaintextBytes plaintext length
 * @param storedSha256 lowercase hex SHA-256 of the stored (compressed, encrypted) object
 * @param storedBytes stored object length
 * @param compression for example {@code zstd-3}
 * @param encryptionScheme the data key's scheme ({@link dev.lifeline.activities.crypto.DataKey#scheme()})
 * @param etag the store's ETag (not a content hash; for diagnostics and conditional requests)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BackupObject(
    String key,
    String plaintextSha256,
    long plaintextBytes,
    String storedSha256,
    long storedBytes,
    String compression,
    String encryptionScheme,
    String etag) {

  /** The checks a reader must pass for this object. */
  public ExpectedIntegrity expected() {
    return new ExpectedIntegrity(storedSha256, storedBytes, plaintextSha256, plaintextBytes);
  }

  /** Stored bytes per plaintext byte (smaller is better); 0 for an empty plaintext. */
  public double ratio() {
    return plaintextBytes == 0 ? 0 : (double) storedBytes / plaintextBytes;
  }
}
