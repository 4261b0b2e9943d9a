package dev.lifeline.activities.backup;

import dev.lifeline.activities.crypto.BackupIntegrityException;
import dev.lifeline.activities.crypto.BackupIntegrityException.Reason;
import dev.lifeline.activities.crypto.DataKey;
import dev.lifeline.activities.s3.ObjectInfo;
import dev.lifeline.activities.s3.ObjectNotFoundException;
import dev.lifeline.activities.s3.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verify-then-use access to a stored backup: nothing is decrypted before the stored bytes are
 * proven to be the ones the manifest describes, and the plaintext is proven complete and correct
 * only when it has been read to its end.
 *
 * <p>{@link #open} downloads the object into a local file in {@code workDir} (a retried call on the
 * same host resumes a partial download, see {@link ObjectStore#downloadTo}), checks its size and
 * SHA-256 against {@link ExpectedIntegrity} and throws {@link BackupIntegrityException} naming
 * expected and actual values on a mismatch, before any decryption. The returned {@link
 * VerifiedPlaintext} then decrypts (authenticated per segment), decompresses and hashes the
 * plaintext as it is read, and fails at the end if its length or SHA-256 differ.
 *
 * <p>Callers write plaintext only to local staging (a temporary SQLite file, a temporary dump)
 * until the stream has ended without an exception, never to a restore target. Closing the {@link
 * VerifiedPlaintext} deletes the downloaded file. Reads only; idempotent.
 */
public final class BackupReader {
  private static final Logger log = LoggerFactory.getLogger(BackupReader.class);

  /**
   * Downloads and verifies a stored backup; see the class documentation.
   *
   * @param associatedData the backup id bytes the writer used
   * @param workDir a local directory for the downloaded object (needs room for the stored size)
   * @throws BackupIntegrityException if the stored object's size or SHA-256 differs
   * @throws ObjectNotFoundException if there is no such object
   */
  public VerifiedPlaintext open(
      ObjectStore store,
      String key,
      ExpectedIntegrity expected,
      DataKey dataKey,
      byte[] associatedData,
      Path workDir) {
    return open(store, key, expected, dataKey, associatedData, workDir, true);
  }

  /**
   * As {@link #open(ObjectStore, String, ExpectedIntegrity, DataKey, byte[], Path)}; with {@code
   * readAhead} the plaintext is decrypted and decompressed on a background thread into a small
   * bounded buffer, overlapping that work with the caller's use of it (a database load).
   */
  public VerifiedPlaintext open(
      ObjectStore store,
      String key,
      ExpectedIntegrity expected,
      DataKey dataKey,
      byte[] associatedData,
      Path workDir,
      boolean readAhead) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(dataKey, "dataKey");
    Objects.requireNonNull(workDir, "workDir");
    ObjectInfo info =
        store.head(key).orElseThrow(() -> new ObjectNotFoundException(store.bucket(), key, null));
    if (info.size() != expected.storedBytes()) {
      // Checked before downloading: a wrong size needs no gigabytes of transfer to be detected.
      throw new BackupIntegrityException(
          Reason.STORED_SIZE_MISMATCH,
          "stored object " + key + " is " + info.size() + " bytes but the manifest says "
              + expected.storedBytes() + " bytes; nothing was decrypted");
    }
    Path file = workDir.resolve(downloadName(store.bucket(), key, expected));
    try {
      Files.createDirectories(workDir);
      boolean resumed = Files.exists(file) && Files.size(file) > 0;
      String actual = download(store, key, file);
      if (!actual.equals(expected.storedSha256()) && resumed) {
        // A partial file left by an earlier attempt may belong to an older object under the same
        // key; that is not tampering. Start over once before judging the object.
        log.info("Resumed download of {} does not verify; downloading it again from the start", key);
        Files.deleteIfExists(file);
        actual = download(store, key, file);
      }
      if (!actual.equals(expected.storedSha256())) {
        Files.deleteIfExists(file);
        throw new BackupIntegrityException(
            Reason.STORED_SHA256_MISMATCH,
            "stored object " + key + " has SHA-256 " + actual + " but the manifest says "
                + expected.storedSha256() + "; nothing was decrypted");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage the download of " + key + " in " + workDir, e);
    }
    return new VerifiedPlaintext(file, key, expected, dataKey, associatedData, readAhead);
  }

  private static String download(ObjectStore store, String key, Path file) throws IOException {
    store.downloadTo(key, file);
    // Hash the whole file, including bytes an earlier attempt downloaded.
    MessageDigest sha = BackupWriter.sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[256 * 1024];
      int n;
      while ((n = in.read(buf)) != -1) {
        sha.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /**
   * Stable per (bucket, key, stored hash), so a retry on the same host resumes its own download and
   * never another object's.
   */
  private static String downloadName(String bucket, String key, ExpectedIntegrity expected) {
    MessageDigest sha = BackupWriter.sha256();
    sha.update((bucket + "\n" + key + "\n" + expected.storedSha256()).getBytes(StandardCharsets.UTF_8));
    return "lifeline-backup-" + HexFormat.of().formatHex(sha.digest()).substring(0, 24) + ".download";
  }
}
