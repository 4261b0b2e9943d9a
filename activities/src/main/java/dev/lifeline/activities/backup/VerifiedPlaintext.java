package dev.lifeline.activities.backup;

import com.github.luben.zstd.ZstdIOException;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import dev.lifeline.activities.crypto.BackupIntegrityException;
import dev.lifeline.activities.crypto.BackupIntegrityException.Reason;
import dev.lifeline.activities.crypto.BackupKeys;
import dev.lifeline.activities.crypto.DataKey;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A downloaded backup whose stored bytes matched the manifest, from which the plaintext can be
 * read once. See {@link BackupReader}.
 *
 * <p>{@link #openStream()} yields the decrypted, decompressed plaintext. Every byte it returns
 * comes from an authenticated ciphertext segment; when the plaintext ends, its length and SHA-256
 * are compared with the manifest and a mismatch throws {@link BackupIntegrityException} instead of
 * returning end-of-stream. So a caller that reached end-of-stream without an exception holds the
 * exact plaintext that was backed up; anything it wrote before then is unverified staging.
 *
 * <p>{@link #close()} deletes the downloaded file (and stops a read-ahead thread).
 */
public final class VerifiedPlaintext implements AutoCloseable {
  private static final int BUFFER = 256 * 1024;

  private final Path storedFile;
  private final String key;
  private final ExpectedIntegrity expected;
  private final DataKey dataKey;
  private final byte[] aad;
  private final boolean readAhead;
  private boolean opened;
  private InputStream stream;
  private Thread readAheadThread;

  VerifiedPlaintext(
      Path storedFile, String key, ExpectedIntegrity expected, DataKey dataKey, byte[] aad,
      boolean readAhead) {
    this.storedFile = storedFile;
    this.key = key;
    this.expected = expected;
    this.dataKey = dataKey;
    this.aad = aad;
    this.readAhead = readAhead;
  }

  /** The verified stored object on local disk (compressed and encrypted). */
  public Path storedFile() {
    return storedFile;
  }

  /** What the plaintext must match. */
  public ExpectedIntegrity expected() {
    return expected;
  }

  /**
   * The plaintext, once. Throws {@link BackupIntegrityException} from {@code read} on a decryption
   * failure (reason {@code DECRYPTION_FAILED}), a corrupt compressed stream, or a plaintext whose
   * length or SHA-256 differs from the manifest.
   */
  public synchronized InputStream openStream() {
    if (opened) {
      throw new IllegalStateException("the plaintext of " + key + " can be read only once");
    }
    opened = true;
    InputStream verified = verifiedPlaintext();
    if (!readAhead) {
      stream = verified;
      return stream;
    }
    BoundedPipe pipe = new BoundedPipe("plaintext of " + key, BUFFER, 4);
    readAheadThread =
        new Thread(
            () -> {
              try (verified) {
                verified.transferTo(pipe.out());
                pipe.out().close();
              } catch (IOException | RuntimeException e) {
                pipe.fail(e);
              }
            },
            "backup-reader");
    readAheadThread.setDaemon(true);
    readAheadThread.start();
    stream = new UnwrappingInputStream(pipe.in());
    return stream;
  }

  /**
   * Writes the whole plaintext to {@code target} (replaced atomically only after verification; a
   * failure leaves no file), and returns its length.
   */
  public long copyTo(Path target) {
    Path tmp = target.resolveSibling(target.getFileName() + ".partial");
    try (InputStream in = openStream()) {
      long n;
      try (OutputStream out = Files.newOutputStream(tmp)) {
        n = in.transferTo(out);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return n;
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new UncheckedIOException("writing the plaintext of " + key + " to " + target + " failed", e);
    } catch (RuntimeException e) {
      deleteQuietly(tmp);
      throw e;
    }
  }

  private InputStream verifiedPlaintext() {
    try {
      InputStream file = new BufferedInputStream(Files.newInputStream(storedFile), BUFFER);
      InputStream decrypted = BackupKeys.decrypt(dataKey, file, aad);
      InputStream decompressed = new DecompressingInputStream(decrypted);
      return new CheckingInputStream(decompressed, expected, key);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + storedFile, e);
    }
  }

  @Override
  public synchronized void close() {
    if (stream != null) {
      try {
        stream.close();
      } catch (IOException ignored) {
        // Closing a read-only stream; nothing to lose.
      }
    }
    if (readAheadThread != null) {
      readAheadThread.interrupt();
    }
    deleteQuietly(storedFile);
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // A leftover temp file is harmless; the work directory is the caller's to clean.
    }
  }

  /** zstd decompression whose format errors are integrity failures. */
  private static final class DecompressingInputStream extends InputStream {
    private final ZstdInputStreamNoFinalizer zstd;

    DecompressingInputStream(InputStream in) throws IOException {
      this.zstd = new ZstdInputStreamNoFinalizer(in);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return zstd.read(b, off, len);
      } catch (ZstdIOException e) {
        // The ciphertext authenticated, so this means the writer produced a bad stream.
        throw new BackupIntegrityException(
            Reason.DECOMPRESSION_FAILED,
            "the decrypted backup is not a valid zstd stream: " + e.getMessage());
      }
    }

    @Override
    public void close() throws IOException {
      zstd.close();
    }
  }

  /** Counts and hashes the plaintext; at its end, compares both with the manifest. */
  private static final class CheckingInputStream extends InputStream {
    private final InputStream in;
    private final ExpectedIntegrity expected;
    private final String key;
    private final MessageDigest sha = BackupWriter.sha256();
    private long count;
    private boolean checked;

    CheckingInputStream(InputStream in, ExpectedIntegrity expected, String key) {
      this.in = in;
      this.expected = expected;
      this.key = key;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        sha.update(b, off, n);
        count += n;
        if (count > expected.plaintextBytes()) {
          throw sizeMismatch("more than");
        }
        return n;
      }
      if (n < 0 && !checked) {
        checked = true;
        if (count != expected.plaintextBytes()) {
          throw sizeMismatch("only");
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(expected.plaintextSha256())) {
          throw new BackupIntegrityException(
              Reason.PLAINTEXT_SHA256_MISMATCH,
              "the plaintext of " + key + " has SHA-256 " + actual + " but the manifest says "
                  + expected.plaintextSha256());
        }
      }
      return n;
    }

    private BackupIntegrityException sizeMismatch(String how) {
      return new BackupIntegrityException(
          Reason.PLAINTEXT_SIZE_MISMATCH,
          "the plaintext of " + key + " has " + how + " " + count + " bytes but the manifest says "
              + expected.plaintextBytes() + " bytes");
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** The consumer end of the read-ahead pipe, rethrowing the producer's own failure. */
  private static final class UnwrappingInputStream extends InputStream {
    private final InputStream in;

    UnwrappingInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (BoundedPipe.PipeFailedException e) {
        Throwable root = e.rootCause();
        if (root instanceof RuntimeException re) {
          throw re;
        }
        if (root instanceof IOException io) {
          throw io;
        }
        throw e;
      }
    }
  }
}
