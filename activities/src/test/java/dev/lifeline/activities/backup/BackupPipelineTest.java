package dev.lifeline.activities.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeline.activities.crypto.BackupIntegrityException;
import dev.lifeline.activities.crypto.BackupIntegrityException.Reason;
import dev.lifeline.activities.crypto.BackupKeyException;
import dev.lifeline.activities.crypto.BackupKeys;
import dev.lifeline.activities.crypto.DataKey;
import dev.lifeline.activities.crypto.WrappedKey;
import dev.lifeline.activities.s3.DeterministicStream;
import dev.lifeline.activities.s3.S3ObjectStore;
import dev.lifeline.activities.s3.S3ProxyFixture;
import dev.lifeline.activities.secrets.Secret;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup pipeline through a real S3 server (s3proxy in process). */
class BackupPipelineTest {
  private static final String KEY_A = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  private static final String KEY_B = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
  private static final byte[] BACKUP_ID = "bk-20261001-0200".getBytes(StandardCharsets.UTF_8);
  private static final long SIZE = 20L << 20;

  private static S3ProxyFixture s3;
  private static S3ObjectStore store;
  private final BackupKeys keys = BackupKeys.fromSecret(Secret.of(KEY_A));
  private final BackupWriter writer = new BackupWriter();
  private final BackupReader reader = new BackupReader();

  @TempDir Path work;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3ProxyFixture.inMemory();
    s3.createBucket("monotask-backups");
    store = S3ObjectStore.create(s3.options("monotask-backups").partSize(5L << 20).build());
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    s3.close();
  }

  @Test
  void roundTripRestoresTheExactPlaintext() throws IOException {
    DataKey dataKey = keys.newDataKey();
    List<Long> progress = new ArrayList<>();
    BackupObject stored =
        writer.write(new DumpLikeStream(SIZE, 1), store, "d1/rt.sql.zst.tink", dataKey, BACKUP_ID,
            WriterOptions.defaults().withProgress(progress::add, 4L << 20));

    String expectedPlain = DeterministicStream.sha256(new DumpLikeStream(SIZE, 1));
    assertThat(stored.plaintextSha256()).isEqualTo(expectedPlain);
    assertThat(stored.plaintextBytes()).isBetween(SIZE, SIZE + 1000);
    assertThat(stored.compression()).isEqualTo("zstd-3");
    assertThat(stored.encryptionScheme()).isEqualTo(dataKey.scheme());
    assertThat(stored.ratio()).isLessThan(0.35); // SQL text compresses; ciphertext adds ~0.03 %
    assertThat(store.head(stored.key()).orElseThrow().size()).isEqualTo(stored.storedBytes());
    assertThat(DeterministicStream.sha256(store.openStream(stored.key(), 0)))
        .isEqualTo(stored.storedSha256());
    assertThat(progress).isNotEmpty().last().isEqualTo(stored.plaintextBytes());

    // What a manifest carries, and a reader that only has the manifest and the master key.
    WrappedKey wrapped = keys.wrap(dataKey, BACKUP_ID);
    DataKey reopened = BackupKeys.fromSecret(Secret.of(KEY_A)).unwrap(wrapped, BACKUP_ID);
    try (VerifiedPlaintext plain =
        reader.open(store, stored.key(), stored.expected(), reopened, BACKUP_ID, work)) {
      assertThat(Files.exists(plain.storedFile())).isTrue();
      assertThat(DeterministicStream.sha256(plain.openStream())).isEqualTo(expectedPlain);
      Path out = work.resolve("restored.sql");
      assertThatThrownBy(() -> plain.copyTo(out)).isInstanceOf(IllegalStateException.class);
    }
    try (Stream<Path> left = Files.list(work)) {
      assertThat(left).as("the download is deleted on close").isEmpty();
    }
  }

  @Test
  void aFlippedStoredByteFailsBeforeDecryptionNamingBothHashes() throws IOException {
    DataKey dataKey = keys.newDataKey();
    BackupObject stored =
        writer.write(new DumpLikeStream(3 << 20, 2), store, "d1/flip.bin", dataKey, BACKUP_ID,
            WriterOptions.defaults());
    byte[] bytes;
    try (InputStream in = store.openStream(stored.key(), 0)) {
      bytes = in.readAllBytes();
    }
    bytes[bytes.length / 2] ^= 0x40;
    store.upload(stored.key(), new ByteArrayInputStream(bytes), null);
    String actual = DeterministicStream.sha256(new ByteArrayInputStream(bytes));

    assertThatThrownBy(() -> reader.open(store, stored.key(), stored.expected(), dataKey, BACKUP_ID, work))
        .isInstanceOf(BackupIntegrityException.class)
        .hasMessageContaining("has SHA-256 " + actual)
        .hasMessageContaining("manifest says " + stored.storedSha256())
        .hasMessageContaining("nothing was decrypted")
        .satisfies(e -> assertThat(((BackupIntegrityException) e).reason())
            .isEqualTo(Reason.STORED_SHA256_MISMATCH));
    try (Stream<Path> left = Files.list(work)) {
      assertThat(left).isEmpty();
    }

    // Had the manifest itself been altered to match, authenticated decryption still refuses.
    ExpectedIntegrity forged =
        new ExpectedIntegrity(actual, bytes.length, stored.plaintextSha256(), stored.plaintextBytes());
    try (VerifiedPlaintext plain = reader.open(store, stored.key(), forged, dataKey, BACKUP_ID, work)) {
      assertThatThrownBy(() -> plain.openStream().transferTo(OutputStream.nullOutputStream()))
          .isInstanceOf(BackupIntegrityException.class)
          .hasMessageStartingWith(BackupIntegrityException.DECRYPTION_FAILED_MESSAGE);
    }
  }

  @Test
  void aTruncatedObjectFailsOnSizeBeforeTheDownload() {
    DataKey dataKey = keys.newDataKey();
    BackupObject stored =
        writer.write(new DumpLikeStream(1 << 20, 3), store, "d1/trunc.bin", dataKey, BACKUP_ID,
            WriterOptions.defaults());
    store.upload(stored.key(), new ByteArrayInputStream(new byte[100]), null);
    assertThatThrownBy(() -> reader.open(store, stored.key(), stored.expected(), dataKey, BACKUP_ID, work))
        .isInstanceOf(BackupIntegrityException.class)
        .hasMessageContaining("is 100 bytes but the manifest says " + stored.storedBytes());
  }

  @Test
  void wrongEncryptionKeyIsAClearErrorAndRewrapRestoresAccess() throws IOException {
    DataKey dataKey = keys.newDataKey();
    BackupObject stored =
        writer.write(new DumpLikeStream(2 << 20, 4), store, "d1/rotate.bin", dataKey, BACKUP_ID,
            WriterOptions.defaults());
    WrappedKey wrapped = keys.wrap(dataKey, BACKUP_ID);
    BackupKeys rotated = BackupKeys.fromSecret(Secret.of(KEY_B));

    assertThatThrownBy(() -> rotated.unwrap(wrapped, BACKUP_ID))
        .isInstanceOf(BackupKeyException.class)
        .hasMessage("this backup was encrypted under key id " + keys.keyId()
            + ", but the configured BACKUP_ENCRYPTION_KEY has key id " + rotated.keyId()
            + "; configure the key with id " + keys.keyId() + " to read it");

    WrappedKey rewrapped = keys.rewrap(wrapped, BACKUP_ID, rotated);
    try (VerifiedPlaintext plain =
        reader.open(store, stored.key(), stored.expected(), rotated.unwrap(rewrapped, BACKUP_ID),
            BACKUP_ID, work)) {
      assertThat(DeterministicStream.sha256(plain.openStream())).isEqualTo(stored.plaintextSha256());
    }
  }

  @Test
  void aPlaintextThatDoesNotMatchTheManifestFailsAtItsEnd() throws IOException {
    DataKey dataKey = keys.newDataKey();
    BackupObject stored =
        writer.write(new DumpLikeStream(1 << 20, 5), store, "d1/plain.bin", dataKey, BACKUP_ID,
            WriterOptions.defaults());
    ExpectedIntegrity wrongHash =
        new ExpectedIntegrity(stored.storedSha256(), stored.storedBytes(), "ab".repeat(32),
            stored.plaintextBytes());
    try (VerifiedPlaintext plain = reader.open(store, stored.key(), wrongHash, dataKey, BACKUP_ID, work)) {
      assertThatThrownBy(() -> plain.copyTo(work.resolve("out.sql")))
          .isInstanceOf(BackupIntegrityException.class)
          .hasMessageContaining("manifest says " + "ab".repeat(32));
    }
    assertThat(work.resolve("out.sql")).doesNotExist();
    ExpectedIntegrity shorter =
        new ExpectedIntegrity(stored.storedSha256(), stored.storedBytes(), stored.plaintextSha256(),
            stored.plaintextBytes() - 1);
    try (VerifiedPlaintext plain = reader.open(store, stored.key(), shorter, dataKey, BACKUP_ID, work, false)) {
      assertThatThrownBy(() -> plain.openStream().transferTo(OutputStream.nullOutputStream()))
          .isInstanceOf(BackupIntegrityException.class)
          .satisfies(e -> assertThat(((BackupIntegrityException) e).reason())
              .isEqualTo(Reason.PLAINTEXT_SIZE_MISMATCH));
    }
  }

  @Test
  void aFailingSourceAbortsTheUploadAndNamesTheStage() {
    InputStream failing =
        new InputStream() {
          final InputStream data = new DeterministicStream(12L << 20, 6);
          long read;

          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (read > (9L << 20)) {
              throw new IOException("export download reset by peer");
            }
            int n = data.read(b, off, len);
            read += Math.max(n, 0);
            return n;
          }
        };
    assertThatThrownBy(() -> writer.write(failing, store, "d1/broken.bin", keys.newDataKey(), BACKUP_ID,
            WriterOptions.defaults()))
        .isInstanceOf(BackupPipelineException.class)
        .hasMessageContaining("while reading the source")
        .hasMessageContaining("export download reset by peer")
        .satisfies(e -> {
          BackupPipelineException p = (BackupPipelineException) e;
          assertThat(p.stage()).isEqualTo(BackupPipelineException.Stage.READ_SOURCE);
          assertThat(p.retryable()).isTrue();
        });
    assertThat(store.head("d1/broken.bin")).isEmpty();
    try (var raw = s3.rawClient()) {
      assertThat(raw.listMultipartUploads(b -> b.bucket("monotask-backups")).uploads())
          .as("no multipart upload is left behind").isEmpty();
    }
  }

  @Test
  void anUploadFailureNamesTheUploadStage() {
    try (S3ObjectStore missing = S3ObjectStore.create(s3.options("no-such-bucket").build())) {
      assertThatThrownBy(() -> writer.write(new DumpLikeStream(1 << 20, 7), missing, "d1/x.bin",
              keys.newDataKey(), BACKUP_ID, WriterOptions.defaults()))
          .isInstanceOf(BackupPipelineException.class)
          .satisfies(e -> assertThat(((BackupPipelineException) e).stage())
              .isEqualTo(BackupPipelineException.Stage.UPLOAD));
    }
  }

  @Test
  void anEmptyPlaintextIsAValidBackup() throws IOException {
    DataKey dataKey = keys.newDataKey();
    BackupObject stored = writer.write(InputStream.nullInputStream(), store, "d1/empty.bin", dataKey,
        BACKUP_ID, WriterOptions.defaults().withCompressionWorkers(0));
    assertThat(stored.plaintextBytes()).isZero();
    try (VerifiedPlaintext plain = reader.open(store, stored.key(), stored.expected(), dataKey, BACKUP_ID, work)) {
      assertThat(plain.openStream().readAllBytes()).isEmpty();
    }
  }
}
