package dev.lifeline.activities.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingKeyManager;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadWrapper;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.subtle.Hkdf;
import dev.lifeline.activities.secrets.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The backup master key ({@code BACKUP_ENCRYPTION_KEY}: 64 hex characters, 32 bytes) and what is
 * derived from it: a public key id, the key that wraps per-backup data keys, and the key that
 * authenticates manifests.
 *
 * <p>Envelope encryption: every backup gets a fresh {@link DataKey} (a Tink streaming AEAD keyset,
 * AES-256-GCM-HKDF-SHA256 in 64 KiB segments), which encrypts the data and is stored only wrapped
 * ({@link #wrap}) under this master key, bound to the backup id as associated data. Rotating the
 * master key re-wraps the small data keys ({@link #rewrap}); the backups themselves are never
 * re-encrypted.
 *
 * <p>Derivation (all from the 32-byte master key {@code M}):
 *
 * <ul>
 *   <li>key id: the first 16 hex characters of HMAC-SHA256(M, {@code "lifeline/key-id/v1"}); a
 *       fingerprint that identifies the key without revealing it;
 *   <li>wrapping key: HKDF-SHA256(M, salt {@code "lifeline"}, info {@code
 *       "lifeline/data-key-wrap/v1"}), used as AES-256-GCM;
 *   <li>MAC key: HKDF-SHA256(M, salt {@code "lifeline"}, info {@code "lifeline/manifest-mac/v1"}),
 *       used as HMAC-SHA256.
 * </ul>
 *
 * <p>A key ring: besides the current master key, previous ones ({@code
 * BACKUP_ENCRYPTION_KEY_PREVIOUS}) may be configured while a key is rotated. New data keys are
 * always wrapped ({@link #wrap}) and manifests always authenticated ({@link #mac}) with the current
 * key; {@link #unwrap} opens a data key with whichever configured key the wrapped key names, and
 * {@link #verifyMac} accepts a tag made with the current key or, failing that, a previous one.
 * {@link #toCurrent} re-wraps a data key from a previous key to the current one.
 *
 * <p>Secrets never leave this class in messages: exceptions carry key ids only, {@link
 * #toString()} shows the key ids. Immutable and thread-safe.
 */
public final class BackupKeys {
  /** The environment variable holding the master key. */
  public static final String ENV_VAR = "BACKUP_ENCRYPTION_KEY";
  /**
   * The environment variable holding previous master keys during a rotation: optional,
   * comma-separated, each in the format of {@link #ENV_VAR}.
   */
  public static final String PREVIOUS_ENV_VAR = "BACKUP_ENCRYPTION_KEY_PREVIOUS";
  /** How {@link #wrap} wraps keysets: a Tink encrypted keyset under HKDF-derived AES-256-GCM. */
  public static final String WRAP_SCHEME = "tink-encrypted-keyset/aes256-gcm/hkdf-sha256/v1";
  /**
   * Ciphertext segment size of new data keys. Measured on this project's dumps (see
   * docs/benchmarks.md): 64 KiB segments encrypt at about 90 % of the speed of 1 MiB segments and
   * ten times the speed of zstd level 3, while a reader holds only one 64 KiB segment before
   * authenticating it. Tink's 4 KiB template is several times slower.
   */
  public static final int SEGMENT_BYTES = 64 * 1024;

  private static final byte[] SALT = "lifeline".getBytes(StandardCharsets.US_ASCII);
  private static final String MAC_PREFIX = "hmac-sha256:";

  static {
    try {
      // Only what backups use: the AES-GCM-HKDF streaming key type and its keyset wrapper.
      AesGcmHkdfStreamingKeyManager.register(true);
      StreamingAeadWrapper.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String keyId;
  private final Aead wrapAead;
  private final byte[] macKey;
  /** Previous master keys, in the configured order, without the current one; never nested rings. */
  private final List<BackupKeys> previous;

  private BackupKeys(BackupKeys current, List<BackupKeys> previous) {
    this.keyId = current.keyId;
    this.wrapAead = current.wrapAead;
    this.macKey = current.macKey;
    this.previous = previous;
  }

  private BackupKeys(byte[] master) {
    this.previous = List.of();
    try {
      this.keyId = HexFormat.of().formatHex(hmac(master, utf8("lifeline/key-id/v1"))).substring(0, 16);
      byte[] wrapKey = Hkdf.computeHkdf("HMACSHA256", master, SALT, utf8("lifeline/data-key-wrap/v1"), 32);
      this.wrapAead = new AesGcmJce(wrapKey);
      Arrays.fill(wrapKey, (byte) 0);
      this.macKey = Hkdf.computeHkdf("HMACSHA256", master, SALT, utf8("lifeline/manifest-mac/v1"), 32);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JCE lacks HMAC-SHA256 or AES-GCM", e);
    }
  }

  /**
   * Keys from a master key given as 64 hexadecimal characters (upper or lower case; surrounding
   * whitespace is ignored), as {@code openssl rand -hex 32} prints.
   *
   * @throws BackupKeyException ({@link BackupKeyException.Reason#INVALID_MASTER_KEY}) when the value
   *     is not 64 hex characters or is all zeros; the message never echoes the value
   */
  public static BackupKeys fromSecret(Secret masterKeyHex) {
    if (masterKeyHex == null) {
      throw invalid("is not set");
    }
    String hex = masterKeyHex.reveal().strip();
    if (hex.length() != 64) {
      throw invalid("must be 64 hexadecimal characters (32 bytes) but has " + hex.length()
          + " characters");
    }
    byte[] master;
    try {
      master = HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      // HexFormat's message quotes the offending characters: do not chain it.
      throw invalid("must contain only hexadecimal characters 0-9 and a-f");
    }
    boolean allZero = true;
    for (byte b : master) {
      allZero &= b == 0;
    }
    if (allZero) {
      throw invalid("is all zeros, which is a placeholder, not a key");
    }
    try {
      return new BackupKeys(master);
    } finally {
      Arrays.fill(master, (byte) 0);
    }
  }

  /**
   * A key ring: {@code current} for everything new, and the {@code previous} master keys (each in
   * the format of {@link #fromSecret}) to read what they wrapped and authenticated. A previous key
   * equal to the current one, or repeated, is ignored.
   *
   * @throws BackupKeyException ({@link BackupKeyException.Reason#INVALID_MASTER_KEY}) naming the
   *     variable and the position of a malformed previous key, never its value
   */
  public static BackupKeys fromSecrets(Secret current, List<Secret> previous) {
    BackupKeys ring = fromSecret(current);
    if (previous == null || previous.isEmpty()) {
      return ring;
    }
    Map<String, BackupKeys> byId = new LinkedHashMap<>();
    for (int i = 0; i < previous.size(); i++) {
      BackupKeys k;
      try {
        k = fromSecret(previous.get(i));
      } catch (BackupKeyException e) {
        // The message of fromSecret names ENV_VAR; say which variable and which entry instead.
        throw new BackupKeyException(BackupKeyException.Reason.INVALID_MASTER_KEY,
            PREVIOUS_ENV_VAR + " entry " + (i + 1) + " of " + previous.size() + " "
                + e.getMessage().substring(ENV_VAR.length() + 1),
            null, null);
      }
      if (!k.keyId.equals(ring.keyId)) {
        byId.putIfAbsent(k.keyId, k);
      }
    }
    return new BackupKeys(ring, List.copyOf(byId.values()));
  }

  /**
   * Keys from {@link #ENV_VAR} in {@code env} (for example {@code System.getenv()}), with the
   * previous keys of {@link #PREVIOUS_ENV_VAR} (comma-separated; blank entries are ignored) when set.
   */
  public static BackupKeys fromEnvironment(Map<String, String> env) {
    String value = env.get(ENV_VAR);
    if (value == null || value.isBlank()) {
      throw invalid("is not set");
    }
    return fromSecrets(Secret.of(value), splitPrevious(env.get(PREVIOUS_ENV_VAR)));
  }

  /**
   * The entries of a {@link #PREVIOUS_ENV_VAR} value: split at commas, stripped, blank ones left
   * out; empty for null.
   */
  public static List<Secret> splitPrevious(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    List<Secret> out = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        out.add(Secret.of(part.strip()));
      }
    }
    return List.copyOf(out);
  }

  private static BackupKeyException invalid(String what) {
    return new BackupKeyException(
        BackupKeyException.Reason.INVALID_MASTER_KEY,
        ENV_VAR + " " + what + "; generate one with: openssl rand -hex 32",
        null,
        null);
  }

  /** The key ids of the previous master keys configured, in order (empty outside a rotation). */
  public List<String> previousKeyIds() {
    return previous.stream().map(k -> k.keyId).toList();
  }

  /** Whether {@code id} is the current key's id or a previous key's. */
  public boolean knows(String id) {
    return keyId.equals(id) || previous.stream().anyMatch(k -> k.keyId.equals(id));
  }

  /** The public fingerprint of the master key (16 hex characters); record it in manifests. */
  public String keyId() {
    return keyId;
  }

  /** A fresh data key for one backup, with {@link #SEGMENT_BYTES} ciphertext segments. */
  public DataKey newDataKey() {
    return newDataKey(SEGMENT_BYTES);
  }

  /**
   * A fresh data key with a chosen ciphertext segment size (for measurements; backups use {@link
   * #newDataKey()}). The size is recorded in the keyset, so readers need not know it.
   */
  public static DataKey newDataKey(int ciphertextSegmentBytes) {
    try {
      KeysetHandle keyset =
          KeysetHandle.generateNew(
              AesGcmHkdfStreamingParameters.builder()
                  .setKeySizeBytes(32)
                  .setDerivedAesGcmKeySizeBytes(32)
                  .setHkdfHashType(AesGcmHkdfStreamingParameters.HashType.SHA256)
                  .setCiphertextSegmentSizeBytes(ciphertextSegmentBytes)
                  .build());
      return dataKey(keyset);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot create a data key with "
          + ciphertextSegmentBytes + "-byte segments: " + e.getMessage());
    }
  }

  private static DataKey dataKey(KeysetHandle keyset) throws GeneralSecurityException {
    return new DataKey(keyset, keyset.getPrimitive(RegistryConfiguration.get(), StreamingAead.class));
  }

  /**
   * Wraps a data key for storage in a manifest.
   *
   * @param associatedData binds the wrapped key to its backup (use the backup id's UTF-8 bytes):
   *     unwrapping with other associated data fails, so a wrapped key cannot be moved to another
   *     backup's manifest
   */
  public WrappedKey wrap(DataKey key, byte[] associatedData) {
    Objects.requireNonNull(key, "key");
    try {
      byte[] encrypted =
          TinkProtoKeysetFormat.serializeEncryptedKeyset(key.keyset(), wrapAead, aad(associatedData));
      return new WrappedKey(WRAP_SCHEME, keyId, Base64.getEncoder().encodeToString(encrypted));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("wrapping a data key failed: " + e.getClass().getSimpleName());
    }
  }

  /**
   * Recovers a data key from its manifest entry.
   *
   * @throws BackupKeyException naming the key id the backup needs and the configured one when they
   *     differ ({@link BackupKeyException.Reason#WRONG_MASTER_KEY}); when they match but the wrapped
   *     key does not decrypt under this associated data ({@link
   *     BackupKeyException.Reason#CORRUPT_WRAPPED_KEY}); or for an unknown scheme. Never a Tink
   *     exception, never key material.
   */
  public DataKey unwrap(WrappedKey wrapped, byte[] associatedData) {
    Objects.requireNonNull(wrapped, "wrapped");
    if (!WRAP_SCHEME.equals(wrapped.scheme())) {
      throw new BackupKeyException(
          BackupKeyException.Reason.UNSUPPORTED_SCHEME,
          "the backup's data key is wrapped with scheme '" + wrapped.scheme()
              + "', which this version of Lifeline cannot open (it knows '" + WRAP_SCHEME + "')",
          wrapped.keyId(),
          keyId);
    }
    if (!keyId.equals(wrapped.keyId())) {
      for (BackupKeys old : previous) {
        if (old.keyId.equals(wrapped.keyId())) {
          return old.unwrap(wrapped, associatedData);
        }
      }
      throw new BackupKeyException(
          BackupKeyException.Reason.WRONG_MASTER_KEY,
          "this backup was encrypted under key id " + wrapped.keyId() + ", but the configured "
              + ENV_VAR + " has key id " + keyId
              + (previous.isEmpty() ? "" : " and " + PREVIOUS_ENV_VAR + " has key id(s) "
                  + String.join(", ", previousKeyIds()))
              + "; configure the key with id " + wrapped.keyId() + " to read it",
          wrapped.keyId(),
          keyId);
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(wrapped.wrappedKeysetBase64());
    } catch (IllegalArgumentException e) {
      throw corrupt(wrapped, "it is not valid Base64");
    }
    try {
      return dataKey(TinkProtoKeysetFormat.parseEncryptedKeyset(bytes, wrapAead, aad(associatedData)));
    } catch (GeneralSecurityException | RuntimeException e) {
      // The key id matched, so the master key is right: the wrapped bytes were altered, or the
      // caller passed another backup's id as associated data. Tink's message adds nothing useful.
      throw corrupt(wrapped, "it does not decrypt under key id " + keyId
          + " with this backup's id as associated data");
    }
  }

  private BackupKeyException corrupt(WrappedKey wrapped, String why) {
    return new BackupKeyException(
        BackupKeyException.Reason.CORRUPT_WRAPPED_KEY,
        "the backup's wrapped data key is corrupt or belongs to another backup: " + why,
        wrapped.keyId(),
        keyId);
  }

  /**
   * Key rotation: unwraps with this (old) master key and wraps under {@code newKeys}, with the same
   * associated data. The backup's data is untouched; store the result in place of {@code wrapped}.
   */
  public WrappedKey rewrap(WrappedKey wrapped, byte[] associatedData, BackupKeys newKeys) {
    return newKeys.wrap(unwrap(wrapped, associatedData), associatedData);
  }

  /**
   * Key rotation within the ring: {@code wrapped} as is when the current key wrapped it, else
   * unwrapped with the previous key it names and wrapped again under the current key, with the same
   * associated data. Before returning a new wrapping it checks that the current key opens it.
   *
   * @throws BackupKeyException as {@link #unwrap} does
   */
  public WrappedKey toCurrent(WrappedKey wrapped, byte[] associatedData) {
    if (keyId.equals(wrapped.keyId()) && WRAP_SCHEME.equals(wrapped.scheme())) {
      return wrapped;
    }
    WrappedKey rewrapped = rewrap(wrapped, associatedData, this);
    // Cheap insurance before the caller replaces the only copy of the old wrapping.
    unwrap(rewrapped, associatedData);
    return rewrapped;
  }

  /**
   * An authentication tag over {@code data} (for example a manifest's canonical JSON): {@code
   * "hmac-sha256:<keyId>:<64 hex>"}, HMAC-SHA256 under a key derived from the master key.
   */
  public String mac(byte[] data) {
    return MAC_PREFIX + keyId + ":" + HexFormat.of().formatHex(hmac(macKey, data));
  }

  /**
   * Whether {@code tag} is {@link #mac(byte[])} of {@code data} under the current master key or,
   * failing that, a previous one (constant time in each tag comparison). False, not an exception,
   * for a tag made with a key not in the ring.
   */
  public boolean verifyMac(byte[] data, String tag) {
    return macKeyId(data, tag) != null;
  }

  /**
   * The id of the key in the ring under which {@code tag} authenticates {@code data}: the current
   * key's id, a previous key's, or null when none does.
   */
  public String macKeyId(byte[] data, String tag) {
    if (tag == null) {
      return null;
    }
    byte[] given = tag.getBytes(StandardCharsets.US_ASCII);
    if (MessageDigest.isEqual(mac(data).getBytes(StandardCharsets.US_ASCII), given)) {
      return keyId;
    }
    for (BackupKeys old : previous) {
      if (MessageDigest.isEqual(old.mac(data).getBytes(StandardCharsets.US_ASCII), given)) {
        return old.keyId;
      }
    }
    return null;
  }

  /**
   * An encrypting stream into {@code sink}: write plaintext, then close it to write the final
   * segment. Closing it closes {@code sink}.
   *
   * @param associatedData authenticated with every segment (use the backup id); the same bytes
   *     must be passed to {@link #decrypt}
   */
  public static OutputStream encrypt(DataKey key, OutputStream sink, byte[] associatedData) {
    try {
      return key.streamingAead().newEncryptingStream(sink, aad(associatedData));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot start encryption: " + e.getClass().getSimpleName());
    } catch (IOException e) {
      throw new UncheckedIOException("writing the encryption header failed", e);
    }
  }

  /**
   * A decrypting stream over {@code source}.
   *
   * <p>Guarantee: the stream releases plaintext one segment (64 KiB of ciphertext) at a time, and
   * only after that segment's GCM tag has been verified, so every byte it returns is authentic.
   * When a segment fails (a flipped byte, a truncated or extended object, another data key or other
   * associated data) {@code read} throws {@link BackupIntegrityException} with reason {@link
   * BackupIntegrityException.Reason#DECRYPTION_FAILED}; the segments released before that one are
   * authentic, but the plaintext as a whole is incomplete, so callers must treat everything read so
   * far as unverified staging data and discard it. The end of the stream is authenticated too: a
   * truncated ciphertext fails at its end instead of looking like a shorter plaintext.
   *
   * <p>An {@link IOException} from {@code source} itself (a dropped connection, a disk error) is
   * rethrown as is, not reported as tampering. Closing the stream closes {@code source}.
   */
  public static InputStream decrypt(DataKey key, InputStream source, byte[] associatedData) {
    return new AuthenticatedInputStream(key, source, aad(associatedData));
  }

  private static byte[] aad(byte[] associatedData) {
    return associatedData == null ? new byte[0] : associatedData;
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is required by the Java platform", e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "BackupKeys[keyId=" + keyId + (previous.isEmpty() ? "" : ", previousKeyIds=" + previousKeyIds()) + "]";
  }
}
