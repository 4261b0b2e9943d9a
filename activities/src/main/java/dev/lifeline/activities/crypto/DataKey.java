package dev.lifeline.activities.crypto;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;

/**
 * The per-backup data key: a Tink keyset holding one AES-256-GCM-HKDF streaming AEAD key. Created
 * by {@link BackupKeys#newDataKey()}, stored only wrapped ({@link BackupKeys#wrap}), recovered with
 * {@link BackupKeys#unwrap}. Used with {@link BackupKeys#encrypt} and {@link BackupKeys#decrypt}.
 *
 * <p>Holds secret key material in memory: never serialise it, never put it into a workflow input or
 * result. {@link #toString()} shows only the scheme. Immutable and thread-safe.
 */
public final class DataKey {
  private final KeysetHandle keyset;
  private final StreamingAead streamingAead;
  private final String scheme;

  DataKey(KeysetHandle keyset, StreamingAead streamingAead) {
    this.keyset = keyset;
    this.streamingAead = streamingAead;
    this.scheme = schemeOf(keyset);
  }

  KeysetHandle keyset() {
    return keyset;
  }

  StreamingAead streamingAead() {
    return streamingAead;
  }

  /**
   * The data encryption scheme for manifests, for example
   * {@code tink-streaming-aead/AES256_GCM_HKDF_SHA256/segment=65536}. The segment size is recorded
   * inside the keyset too, so decryption never depends on this string.
   */
  public String scheme() {
    return scheme;
  }

  private static String schemeOf(KeysetHandle keyset) {
    if (keyset.getPrimary().getKey().getParameters() instanceof AesGcmHkdfStreamingParameters p) {
      return "tink-streaming-aead/AES" + (p.getKeySizeBytes() * 8) + "_GCM_HKDF_"
          + p.getHkdfHashType() + "/segment=" + p.getCiphertextSegmentSizeBytes();
    }
    return "tink-streaming-aead/unknown";
  }

  @Override
  public String toString() {
    return "DataKey[" + scheme + ", key material ****]";
  }
}
