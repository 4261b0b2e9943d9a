package dev.lifeline.activities.crypto;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Objects;

/**
 * A backup's data key as stored in its manifest: the Tink keyset encrypted (AES-256-GCM) under a
 * key derived from {@code BACKUP_ENCRYPTION_KEY}, bound to the backup id as associated data.
 * Safe to store and log: it is ciphertext, and {@link #keyId()} is a public fingerprint.
 *
 * @param scheme how the keyset was wrapped ({@link BackupKeys#WRAP_SCHEME}); lets a later version
 *     change the wrapping without guessing
 * @param keyId fingerprint of the master key that wrapped it ({@link BackupKeys#keyId()})
 * @param wrappedKeysetBase64 the encrypted keyset, standard Base64
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WrappedKey(String scheme, String keyId, String wrappedKeysetBase64) {
  public WrappedKey {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(wrappedKeysetBase64, "wrappedKeysetBase64");
  }

  /** Short form for logs: the wrapped bytes are ciphertext, but long and useless to a reader. */
  @Override
  public String toString() {
    return "WrappedKey[scheme=" + scheme + ", keyId=" + keyId + ", "
        + wrappedKeysetBase64.length() + " base64 chars]";
  }
}
