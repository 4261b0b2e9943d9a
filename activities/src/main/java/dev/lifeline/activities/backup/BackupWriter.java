package dev.lifeline.activities.backup;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.lifeline.activities.backup.BackupPipelineException.Stage;
import dev.lifeline.activities.crypto.BackupKeys;
import dev.lifeline.activities.crypto.DataKey;
import dev.lifeline.activities.s3.ObjectStore;
import dev.lifeline.activities.s3.UploadResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams a plaintext (a database dump) into a backup object: SHA-256 and length of the plaintext,
 * zstd compression, Tink streaming AEAD encryption, SHA-256 and length of the stored bytes, and a
 * multipart upload through {@link ObjectStore#upload}.
 *
 * <p>The stages run concurrently on their own threads joined by small bounded pipes: the caller's
 * thread reads and hashes the source; a compressor thread feeds zstd (which may use its own
 * workers, see {@link WriterOptions#compressionWorkers()}); an encryptor thread encrypts and
 * hashes; an uploader thread hands the ciphertext to the store, which uploads parts in parallel.
 * Compression is the slowest stage by far, so this keeps both cores of a small worker busy.
 * Memory is bounded by the options, never by the input size.
 *
 * <p>Failure: the first stage to fail stops all others, the store aborts the multipart upload (no
 * partial object is left under the key) and one {@link BackupPipelineException} names the stage.
 * After a successful upload the store's own size and SHA-256 of what it consumed are compared with
 * the encryptor's; a mismatch deletes the object and fails.
 *
 * <p>Idempotency: the object key is the idempotency key. A retried write uploads again to the same
 * key (last write wins); a fresh data key per attempt is fine because the manifest records the key
 * that goes with the stored object. Thread-safe; holds no state between calls.
 */
public final class BackupWriter {
  private static final Logger log = LoggerFactory.getLogger(BackupWriter.class);
  private static final AtomicInteger WRITES = new AtomicInteger();

  /**
   * Writes one backup object.
   *
   * @param plaintext the source, read to its end and not closed
   * @param store where to upload
   * @param key object key
   * @param dataKey this backup's data key
   * @param associatedData authenticated with the ciphertext (the backup id); readers need the same
   * @param options compression, buffering, progress
   * @return integrity facts for the manifest
   * @throws BackupPipelineException naming the failed stage
   */
  public BackupObject write(
      InputStream plaintext,
      ObjectStore store,
      String key,
      DataKey dataKey,
      byte[] associatedData,
      WriterOptions options) {
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(dataKey, "dataKey");
    WriterOptions o = options == null ? WriterOptions.defaults() : options;
    int id = WRITES.incrementAndGet();
    BoundedPipe toCompressor = new BoundedPipe("plaintext", o.chunkBytes(), o.queueDepth());
    BoundedPipe toEncryptor = new BoundedPipe("compressed", o.chunkBytes(), o.queueDepth());
    BoundedPipe toUploader = new BoundedPipe("ciphertext", o.chunkBytes(), o.queueDepth());
    Failure failure = new Failure(toCompressor, toEncryptor, toUploader);
    StoredStats stored = new StoredStats();
    ExecutorService threads =
        Executors.newFixedThreadPool(
            3,
            r -> {
              Thread t = new Thread(r, "backup-writer-" + id);
              t.setDaemon(true);
              return t;
            });
    MessageDigest plainSha = sha256();
    long plainBytes = 0;
    try {
      Future<?> compressor =
          threads.submit(() -> compress(toCompressor.in(), toEncryptor.out(), o, failure));
      Future<?> encryptor =
          threads.submit(
              () -> encrypt(toEncryptor.in(), toUploader.out(), dataKey, associatedData, stored, failure));
      Future<UploadResult> uploader =
          threads.submit(() -> upload(store, key, toUploader.in(), o, failure));

      // Stage 1 on the caller's thread, so progress callbacks (heartbeats) run where the activity
      // runs.
      // The source is read straight into the pipe's chunk buffers, which the compressor hands to
      // zstd as they are: the plaintext, by far the largest stream, is never copied in the JVM.
      BoundedPipe.Out sink = toCompressor.out();
      long nextProgress = o.progressEveryBytes();
      try {
        while (true) {
          byte[] chunk = sink.claim();
          int n = readChunk(plaintext, chunk);
          if (n == 0) {
            sink.unclaim(chunk);
            break;
          }
          plainSha.update(chunk, 0, n);
          plainBytes += n;
          sink.send(chunk, n);
          if (o.progress() != null && plainBytes >= nextProgress) {
            o.progress().accept(plainBytes);
            nextProgress = plainBytes + o.progressEveryBytes();
          }
        }
        sink.close();
      } catch (SourceReadException e) {
        failure.record(Stage.READ_SOURCE, e.getCause());
      } catch (IOException | RuntimeException e) {
        failure.record(Stage.READ_SOURCE, e);
      }

      // Wait for every stage, also after a failure: the uploader must finish aborting the
      // multipart upload before this method reports anything.
      await(compressor, Stage.COMPRESS, failure);
      await(encryptor, Stage.ENCRYPT, failure);
      UploadResult up = await(uploader, Stage.UPLOAD, failure);
      failure.throwIfAny(key);

      if (up.size() != stored.bytes || !up.sha256Hex().equals(stored.sha256)) {
        // The store consumed something other than what was encrypted: never keep that object.
        deleteQuietly(store, key);
        throw new BackupPipelineException(
            Stage.VERIFY_UPLOAD,
            "backup of " + key + " failed: the store received " + up.size() + " bytes with SHA-256 "
                + up.sha256Hex() + " but " + stored.bytes + " bytes with SHA-256 " + stored.sha256
                + " were encrypted; the object was deleted");
      }
      if (o.progress() != null) {
        o.progress().accept(plainBytes);
      }
      return new BackupObject(
          key,
          HexFormat.of().formatHex(plainSha.digest()),
          plainBytes,
          stored.sha256,
          stored.bytes,
          o.compressionName(),
          dataKey.scheme(),
          up.etag());
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * Fills {@code buf} from the source, or as much of it as the source has left; 0 at its end. Full
   * chunks keep the compressor's calls into zstd large, as when the pipe gathered small reads.
   */
  private static int readChunk(InputStream in, byte[] buf) {
    int total = 0;
    try {
      while (total < buf.length) {
        int n = in.read(buf, total, buf.length - total);
        if (n < 0) {
          break;
        }
        total += n;
      }
      return total;
    } catch (IOException | RuntimeException e) {
      throw new SourceReadException(e);
    }
  }

  /** Marks a failure of the source itself, as opposed to a failed pipe write. */
  private static final class SourceReadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SourceReadException(Throwable cause) {
      super(cause);
    }
  }

  private static void compress(BoundedPipe.In in, OutputStream out, WriterOptions o, Failure failure) {
    ZstdOutputStreamNoFinalizer zstd = null;
    try {
      zstd = new ZstdOutputStreamNoFinalizer(out, o.compressionLevel());
      // A frame checksum costs little and lets plain `zstd -t` check a decrypted object.
      zstd.setChecksum(true);
      if (o.compressionWorkers() > 0) {
        zstd.setWorkers(o.compressionWorkers());
      }
      BoundedPipe.Chunk chunk;
      while ((chunk = in.next()) != null) {
        zstd.write(chunk.buf(), 0, chunk.len());
      }
      zstd.close(); // flushes the frame and closes `out`, which sends the end marker
      zstd = null;
    } catch (IOException | RuntimeException e) {
      failure.record(Stage.COMPRESS, e);
    } finally {
      if (zstd != null) {
        closeQuietly(zstd); // frees native memory; `out` has failed, so no end marker is sent
      }
    }
  }

  private static void encrypt(
      InputStream in,
      OutputStream out,
      DataKey dataKey,
      byte[] aad,
      StoredStats stored,
      Failure failure) {
    HashingOutputStream hashed = new HashingOutputStream(out);
    OutputStream enc = null;
    try {
      enc = BackupKeys.encrypt(dataKey, hashed, aad);
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) != -1) {
        enc.write(buf, 0, n);
      }
      enc.close(); // writes the final segment, closes `hashed` and `out` (end marker)
      enc = null;
      stored.bytes = hashed.count;
      stored.sha256 = HexFormat.of().formatHex(hashed.sha.digest());
    } catch (IOException | RuntimeException e) {
      failure.record(Stage.ENCRYPT, e);
    }
  }

  private static UploadResult upload(
      ObjectStore store, String key, InputStream in, WriterOptions o, Failure failure) {
    try {
      return store.upload(key, in, o.putOptions());
    } catch (RuntimeException e) {
      failure.record(Stage.UPLOAD, e);
      return null;
    }
  }

  private static <T> T await(Future<T> f, Stage stage, Failure failure) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      failure.record(stage, e.getCause());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure.record(Stage.READ_SOURCE, new InterruptedIOException("backup interrupted"));
      // Still wait for the stage, so the upload is aborted before returning.
      try {
        return f.get();
      } catch (InterruptedException | ExecutionException ignored) {
        return null;
      }
    }
  }

  private static void deleteQuietly(ObjectStore store, String key) {
    try {
      store.delete(key);
    } catch (RuntimeException e) {
      log.warn("Could not delete the mismatched upload {}: {}", key, e.toString());
    }
  }

  private static void closeQuietly(OutputStream s) {
    try {
      s.close();
    } catch (IOException | RuntimeException ignored) {
      // Already failing; the first failure is what gets reported.
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  /** The encryptor's count and hash, published to the caller after the encryptor finished. */
  private static final class StoredStats {
    volatile long bytes;
    volatile String sha256;
  }

  /**
   * The first failure of the pipeline; recording it fails every pipe. Pipes only fail through
   * {@link #record}, so the first recorded failure is always a root cause: later ones (a stage
   * that saw its pipe fail, the store wrapping that) are consequences and are dropped.
   */
  private static final class Failure {
    private final BoundedPipe[] pipes;
    private Throwable cause;
    private Stage stage;

    Failure(BoundedPipe... pipes) {
      this.pipes = pipes;
    }

    synchronized void record(Stage where, Throwable t) {
      if (cause == null) {
        cause = t;
        stage = where;
      }
      for (BoundedPipe p : pipes) {
        p.fail(cause);
      }
    }

    synchronized void throwIfAny(String key) {
      if (cause != null) {
        throw new BackupPipelineException(stage, key, cause);
      }
    }
  }

  /** Counts and hashes what passes through to the pipe. */
  private static final class HashingOutputStream extends OutputStream {
    private final OutputStream out;
    final MessageDigest sha = sha256();
    long count;

    HashingOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      sha.update((byte) b);
      count++;
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      sha.update(b, off, len);
      count += len;
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
