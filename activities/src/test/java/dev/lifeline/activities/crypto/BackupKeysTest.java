package dev.lifeline.activities.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeline.activities.secrets.Secret;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackupKeysTest {
  static final String KEY_A = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  static final String KEY_B = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
  private static final byte[] BACKUP_ID = "d1-monotask-2026-10-01T02:00:00Z".getBytes(StandardCharsets.UTF_8);

  private final BackupKeys a = BackupKeys.fromSecret(Secret.of(KEY_A));
  private final BackupKeys b = BackupKeys.fromSecret(Secret.of(KEY_B));

  @Test
  void keyIdIsAStableFingerprintThatRevealsNothing() {
    assertThat(a.keyId()).matches("[0-9a-f]{16}");
    assertThat(BackupKeys.fromSecret(Secret.of(KEY_A.toUpperCase())).keyId()).isEqualTo(a.keyId());
    assertThat(b.keyId()).isNotEqualTo(a.keyId());
    assertThat(KEY_A).doesNotContain(a.keyId());
    assertThat(a.toString()).contains(a.keyId()).doesNotContain(KEY_A);
    assertThat(BackupKeys.fromEnvironment(Map.of("BACKUP_ENCRYPTION_KEY", KEY_A)).keyId())
        .isEqualTo(a.keyId());
  }

  @Test
  void invalidMasterKeysAreRefusedWithoutEchoingThem() {
    String shortKey = "abc123def456";
    String notHex = "zz" + KEY_A.substring(2);
    for (String bad : new String[] {shortKey, notHex, "0".repeat(64)}) {
      assertThatThrownBy(() -> BackupKeys.fromSecret(Secret.of(bad)))
          .isInstanceOf(BackupKeyException.class)
          .satisfies(e -> assertThat(((BackupKeyException) e).reason())
              .isEqualTo(BackupKeyException.Reason.INVALID_MASTER_KEY))
          .hasMessageContaining("BACKUP_ENCRYPTION_KEY")
          .hasMessageContaining("openssl rand -hex 32")
          .hasNoCause()
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(bad).doesNotContain("zz"));
    }
    assertThatThrownBy(() -> BackupKeys.fromEnvironment(Map.of()))
        .hasMessageContaining("BACKUP_ENCRYPTION_KEY is not set");
  }

  @Test
  void wrappedDataKeyDecryptsTheDataAfterUnwrapping() throws IOException {
    DataKey key = a.newDataKey();
    assertThat(key.scheme()).isEqualTo("tink-streaming-aead/AES256_GCM_HKDF_SHA256/segment=65536");
    assertThat(key.toString()).contains("****");
    byte[] plaintext = randomBytes(300_000, 1);
    byte[] ciphertext = encrypt(key, plaintext, BACKUP_ID);

    WrappedKey wrapped = a.wrap(key, BACKUP_ID);
    assertThat(wrapped.keyId()).isEqualTo(a.keyId());
    assertThat(wrapped.scheme()).isEqualTo(BackupKeys.WRAP_SCHEME);
    DataKey unwrapped = a.unwrap(wrapped, BACKUP_ID);
    assertThat(decrypt(unwrapped, ciphertext, BACKUP_ID)).isEqualTo(plaintext);
  }

  @Test
  void wrongMasterKeyNamesBothKeyIds() {
    WrappedKey wrapped = a.wrap(a.newDataKey(), BACKUP_ID);
    assertThatThrownBy(() -> b.unwrap(wrapped, BACKUP_ID))
        .isInstanceOf(BackupKeyException.class)
        .hasMessageContaining("encrypted under key id " + a.keyId())
        .hasMessageContaining("has key id " + b.keyId())
        .satisfies(e -> {
          BackupKeyException k = (BackupKeyException) e;
          assertThat(k.reason()).isEqualTo(BackupKeyException.Reason.WRONG_MASTER_KEY);
          assertThat(k.requiredKeyId()).isEqualTo(a.keyId());
          assertThat(k.configuredKeyId()).isEqualTo(b.keyId());
          assertThat(k.getMessage()).doesNotContain(KEY_A).doesNotContain(KEY_B);
        });
  }

  @Test
  void wrappedKeyIsBoundToItsBackupAndTamperingIsDetected() {
    WrappedKey wrapped = a.wrap(a.newDataKey(), BACKUP_ID);
    assertThatThrownBy(() -> a.unwrap(wrapped, "another-backup".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(BackupKeyException.class)
        .hasMessageContaining("corrupt or belongs to another backup")
        .hasNoCause();
    byte[] raw = java.util.Base64.getDecoder().decode(wrapped.wrappedKeysetBase64());
    raw[raw.length / 2] ^= 1;
    WrappedKey tampered =
        new WrappedKey(wrapped.scheme(), wrapped.keyId(), java.util.Base64.getEncoder().encodeToString(raw));
    assertThatThrownBy(() -> a.unwrap(tampered, BACKUP_ID))
        .isInstanceOf(BackupKeyException.class)
        .satisfies(e -> assertThat(((BackupKeyException) e).reason())
            .isEqualTo(BackupKeyException.Reason.CORRUPT_WRAPPED_KEY));
    WrappedKey otherScheme = new WrappedKey("rot13", wrapped.keyId(), wrapped.wrappedKeysetBase64());
    assertThatThrownBy(() -> a.unwrap(otherScheme, BACKUP_ID))
        .hasMessageContaining("scheme 'rot13'");
  }

  @Test
  void rewrapMovesTheDataKeyToTheNewMasterKeyWithoutTouchingTheData() throws IOException {
    DataKey key = a.newDataKey();
    byte[] plaintext = randomBytes(100_000, 2);
    byte[] ciphertext = encrypt(key, plaintext, BACKUP_ID);
    WrappedKey underA = a.wrap(key, BACKUP_ID);

    WrappedKey underB = a.rewrap(underA, BACKUP_ID, b);
    assertThat(underB.keyId()).isEqualTo(b.keyId());
    assertThat(decrypt(b.unwrap(underB, BACKUP_ID), ciphertext, BACKUP_ID)).isEqualTo(plaintext);
    assertThatThrownBy(() -> a.unwrap(underB, BACKUP_ID))
        .hasMessageContaining("key id " + b.keyId());
  }

  @Test
  void aKeyRingReadsWhatAPreviousKeyWroteAndWritesOnlyUnderTheCurrentOne() throws IOException {
    DataKey key = a.newDataKey();
    byte[] plaintext = randomBytes(70_000, 3);
    byte[] ciphertext = encrypt(key, plaintext, BACKUP_ID);
    WrappedKey underA = a.wrap(key, BACKUP_ID);
    byte[] manifest = "{\"backupId\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    String tagA = a.mac(manifest);

    BackupKeys ring = BackupKeys.fromEnvironment(Map.of("BACKUP_ENCRYPTION_KEY", KEY_B,
        "BACKUP_ENCRYPTION_KEY_PREVIOUS", " " + KEY_A + " ," + KEY_B + ","));
    assertThat(ring.keyId()).isEqualTo(b.keyId());
    assertThat(ring.previousKeyIds()).containsExactly(a.keyId()); // the current key is not its own predecessor
    assertThat(ring.toString()).doesNotContain(KEY_A).doesNotContain(KEY_B);
    assertThat(decrypt(ring.unwrap(underA, BACKUP_ID), ciphertext, BACKUP_ID)).isEqualTo(plaintext);
    assertThat(ring.macKeyId(manifest, tagA)).isEqualTo(a.keyId());
    assertThat(ring.macKeyId(manifest, ring.mac(manifest))).isEqualTo(b.keyId());
    assertThat(ring.mac(manifest)).isEqualTo(b.mac(manifest));
    assertThat(ring.wrap(key, BACKUP_ID).keyId()).isEqualTo(b.keyId());

    WrappedKey rotated = ring.toCurrent(underA, BACKUP_ID);
    assertThat(rotated.keyId()).isEqualTo(b.keyId());
    assertThat(decrypt(b.unwrap(rotated, BACKUP_ID), ciphertext, BACKUP_ID)).isEqualTo(plaintext);
    assertThat(ring.toCurrent(rotated, BACKUP_ID)).isSameAs(rotated);

    String keyC = "c3".repeat(32);
    BackupKeys other = BackupKeys.fromSecrets(Secret.of(keyC), List.of(Secret.of(KEY_B)));
    assertThat(other.verifyMac(manifest, tagA)).isFalse();
    assertThatThrownBy(() -> other.unwrap(underA, BACKUP_ID))
        .isInstanceOfSatisfying(BackupKeyException.class, e -> {
          assertThat(e.reason()).isEqualTo(BackupKeyException.Reason.WRONG_MASTER_KEY);
          assertThat(e.getMessage()).contains("encrypted under key id " + a.keyId())
              .contains("BACKUP_ENCRYPTION_KEY_PREVIOUS has key id(s) " + b.keyId())
              .doesNotContain(KEY_A).doesNotContain(KEY_B).doesNotContain(keyC);
        });
  }

  @Test
  void aMalformedPreviousKeyNamesItsVariableAndPositionNotItsValue() {
    String bad = "12".repeat(20);
    assertThatThrownBy(() -> BackupKeys.fromEnvironment(Map.of("BACKUP_ENCRYPTION_KEY", KEY_B,
            "BACKUP_ENCRYPTION_KEY_PREVIOUS", KEY_A + "," + bad)))
        .isInstanceOfSatisfying(BackupKeyException.class, e -> {
          assertThat(e.reason()).isEqualTo(BackupKeyException.Reason.INVALID_MASTER_KEY);
          assertThat(e.getMessage()).startsWith("BACKUP_ENCRYPTION_KEY_PREVIOUS entry 2 of 2 must be 64 hexadecimal")
              .doesNotContain(bad).doesNotContain(KEY_A);
        });
  }

  @Test
  void macAuthenticatesManifestsUnderTheMasterKey() {
    byte[] manifest = "{\"backupId\":\"x\",\"sha256\":\"abc\"}".getBytes(StandardCharsets.UTF_8);
    String tag = a.mac(manifest);
    assertThat(tag).startsWith("hmac-sha256:" + a.keyId() + ":").hasSize(12 + 16 + 1 + 64);
    assertThat(a.verifyMac(manifest, tag)).isTrue();
    byte[] altered = manifest.clone();
    altered[5] ^= 1;
    assertThat(a.verifyMac(altered, tag)).isFalse();
    assertThat(b.verifyMac(manifest, tag)).isFalse();
    assertThat(a.verifyMac(manifest, null)).isFalse();
  }

  @Test
  void aFlippedByteFailsAtItsSegmentAndOnlyAuthenticSegmentsWereReleased() throws IOException {
    DataKey key = a.newDataKey();
    byte[] plaintext = randomBytes(5 * 65536, 3);
    byte[] ciphertext = encrypt(key, plaintext, BACKUP_ID);
    ciphertext[3 * 65536 + 100] ^= 0x01; // inside the fourth ciphertext segment

    ByteArrayOutputStream released = new ByteArrayOutputStream();
    try (InputStream in = BackupKeys.decrypt(key, new ByteArrayInputStream(ciphertext), BACKUP_ID)) {
      assertThatThrownBy(() -> {
        byte[] buf = new byte[1000];
        int n;
        while ((n = in.read(buf)) != -1) {
          released.write(buf, 0, n);
        }
      })
          .isInstanceOf(BackupIntegrityException.class)
          .hasMessageStartingWith(BackupIntegrityException.DECRYPTION_FAILED_MESSAGE)
          .satisfies(e -> assertThat(((BackupIntegrityException) e).reason())
              .isEqualTo(BackupIntegrityException.Reason.DECRYPTION_FAILED));
      // Later reads keep failing instead of releasing anything after the bad segment.
      assertThatThrownBy(() -> in.read(new byte[10])).isInstanceOf(BackupIntegrityException.class);
    }
    byte[] got = released.toByteArray();
    assertThat(got.length).isLessThan(3 * 65536).isGreaterThan(0);
    assertThat(got).isEqualTo(Arrays.copyOf(plaintext, got.length));
  }

  @Test
  void truncationWrongKeyAndWrongAssociatedDataAllFailAsIntegrityErrors() throws IOException {
    DataKey key = a.newDataKey();
    byte[] plaintext = randomBytes(200_000, 4);
    byte[] ciphertext = encrypt(key, plaintext, BACKUP_ID);
    byte[] truncated = Arrays.copyOf(ciphertext, 2 * 65536); // exactly at a segment boundary
    assertThatThrownBy(() -> decrypt(key, truncated, BACKUP_ID))
        .isInstanceOf(BackupIntegrityException.class);
    assertThatThrownBy(() -> decrypt(a.newDataKey(), ciphertext, BACKUP_ID))
        .isInstanceOf(BackupIntegrityException.class);
    assertThatThrownBy(() -> decrypt(key, ciphertext, "other".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(BackupIntegrityException.class);
    assertThatThrownBy(() -> decrypt(key, new byte[0], BACKUP_ID))
        .isInstanceOf(BackupIntegrityException.class);
  }

  @Test
  void aFailingSourceIsReportedAsItselfNotAsTampering() throws IOException {
    DataKey key = a.newDataKey();
    byte[] ciphertext = encrypt(key, randomBytes(300_000, 5), BACKUP_ID);
    InputStream dropping =
        new InputStream() {
          int pos;

          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] buf, int off, int len) throws IOException {
            if (pos >= 150_000) {
              throw new IOException("connection reset");
            }
            int n = Math.min(len, 150_000 - pos);
            System.arraycopy(ciphertext, pos, buf, off, n);
            pos += n;
            return n;
          }
        };
    try (InputStream in = BackupKeys.decrypt(key, dropping, BACKUP_ID)) {
      assertThatThrownBy(() -> in.transferTo(OutputStream.nullOutputStream()))
          .isExactlyInstanceOf(IOException.class)
          .hasMessage("connection reset");
    }
  }

  static byte[] encrypt(DataKey key, byte[] plaintext, byte[] aad) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream enc = BackupKeys.encrypt(key, out, aad)) {
      enc.write(plaintext);
    }
    return out.toByteArray();
  }

  static byte[] decrypt(DataKey key, byte[] ciphertext, byte[] aad) throws IOException {
    try (InputStream in = BackupKeys.decrypt(key, new ByteArrayInputStream(ciphertext), aad)) {
      return in.readAllBytes();
    }
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
