package dev.lifeline.activities.s3;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A bucket of objects: the one client interface behind which each storage backend (R2, AWS S3,
 * any S3-compatible server) has its own implementation, in the manner of Litestream's replica
 * clients. Backups and manifests are written and read only through this interface.
 *
 * <p>Contract for all implementations:
 *
 * <ul>
 *   <li>Memory does not grow with object or bucket size: uploads buffer at most a bounded number of
 *       parts, downloads and listings stream.
 *   <li>{@link #upload} returns the SHA-256 and size of the bytes it consumed, computed on the way,
 *       so callers record integrity in their manifests and verify it after download.
 *   <li>Idempotency: {@link #upload} of the same bytes to the same key, {@link #copy},
 *       {@link #delete} and {@link #deleteAll} are idempotent (the last write wins; deleting a
 *       missing key succeeds), so a retried activity may repeat them. Reads have no effects.
 *   <li>Failures are {@link ObjectStoreException}s ({@link ObjectNotFoundException} for a missing
 *       key) with {@link ObjectStoreException#retryable()} telling transient from permanent.
 * </ul>
 */
public interface ObjectStore extends AutoCloseable {

  /** The bucket this store reads and writes. */
  String bucket();

  /**
   * Uploads a stream of unknown length. Small objects (less than one part) go in a single PUT;
   * larger ones in a multipart upload that is aborted if anything fails, so no orphaned parts stay
   * behind. The stream is read to its end but not closed.
   *
   * @return key, size, SHA-256 of the consumed bytes, and the store's ETag
   */
  UploadResult upload(String key, InputStream content, PutOptions options);

  /**
   * A stream of the object from byte {@code offset} to its end. Closing it early releases the
   * connection without reading the rest.
   */
  InputStream openStream(String key, long offset);

  /** A stream of {@code length} bytes of the object starting at {@code offset}. */
  InputStream openRange(String key, long offset, long length);

  /**
   * Downloads the object into {@code target}, appending from the file's current length, so a
   * retried call resumes; resumes after dropped connections too. Refuses to mix versions: if the
   * object changes between resumptions the download fails.
   *
   * @return the object's size, which is the file's length afterwards
   */
  long downloadTo(String key, Path target);

  /** Size, ETag, content type, user metadata and last-modified time, or empty if no such key. */
  Optional<ObjectInfo> head(String key);

  /**
   * Objects whose key starts with {@code prefix}, in key order, fetched lazily page by page. Close
   * the stream when done if not fully consumed.
   */
  Stream<ObjectSummary> list(String prefix);

  /**
   * Server-side copy to {@code targetBucket}/{@code targetKey} (same or another bucket reachable
   * with the same credentials), metadata included. Uses multipart copy above 5 GiB.
   */
  ObjectInfo copy(String sourceKey, String targetBucket, String targetKey);

  /** Deletes one object; succeeds if it does not exist. */
  void delete(String key);

  /**
   * Deletes many objects in batches of 1,000.
   *
   * @return keys that could not be deleted (empty on full success)
   */
  List<String> deleteAll(Collection<String> keys);

  /** Releases connections and threads. */
  @Override
  void close();
}
