package dev.lifeline.activities.crypto;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;

/**
 * Tink's decrypting stream, with its failures sorted: an {@link IOException} that the ciphertext
 * source raised is rethrown as is (the download can be retried), anything else Tink throws means
 * the ciphertext did not authenticate and becomes a {@link BackupIntegrityException}.
 */
final class AuthenticatedInputStream extends InputStream {
  private final SourceTracker source;
  private final InputStream plaintext;
  private long released;
  private boolean failed;

  AuthenticatedInputStream(DataKey key, InputStream ciphertext, byte[] aad) {
    this.source = new SourceTracker(ciphertext);
    try {
      this.plaintext = key.streamingAead().newDecryptingStream(source, aad);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot start decryption: " + e.getClass().getSimpleName());
    } catch (IOException e) {
      // Tink's keyset wrapper reads lazily, so this is not expected; classify it all the same.
      throw new IllegalStateException("cannot start decryption", e);
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (failed) {
      // Once a segment failed nothing after it may be released, even if the caller keeps reading.
      throw integrityFailure(null);
    }
    try {
      int n = plaintext.read(b, off, len);
      if (n > 0) {
        released += n;
      }
      return n;
    } catch (IOException | RuntimeException e) {
      Exception sourceFailure = source.failure;
      if (sourceFailure != null) {
        // The source failed (a dropped connection, an object store error): not tampering.
        source.failure = null;
        if (sourceFailure instanceof IOException io) {
          throw io;
        }
        throw (RuntimeException) sourceFailure;
      }
      failed = true;
      throw integrityFailure(e);
    }
  }

  private BackupIntegrityException integrityFailure(Exception cause) {
    // Tink's own message ("Tag mismatch", "No matching key found") is kept as the cause's type
    // only: it says nothing an operator can act on, and the fixed message is what runbooks cite.
    BackupIntegrityException e =
        new BackupIntegrityException(
            BackupIntegrityException.Reason.DECRYPTION_FAILED,
            BackupIntegrityException.DECRYPTION_FAILED_MESSAGE
                + " (failed after " + released + " authenticated plaintext bytes)");
    if (cause != null) {
      e.addSuppressed(new IOException(cause.getClass().getSimpleName()));
    }
    return e;
  }

  @Override
  public void close() throws IOException {
    plaintext.close();
  }

  /** Remembers the last failure the ciphertext source itself raised. */
  private static final class SourceTracker extends FilterInputStream {
    Exception failure;

    SourceTracker(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException | RuntimeException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException | RuntimeException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public long skip(long n) throws IOException {
      try {
        return in.skip(n);
      } catch (IOException | RuntimeException e) {
        failure = e;
        throw e;
      }
    }
  }
}
